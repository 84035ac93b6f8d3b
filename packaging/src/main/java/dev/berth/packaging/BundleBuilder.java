package dev.berth.packaging;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds a Docker managed-plugin bundle offline from a plugin's jars and descriptor: runtime from {@link RuntimeImage},
 * root filesystem from {@link RootfsAssembler}, {@code config.json} from {@link ConfigJson}. The same inputs give the
 * same bytes (fixed timestamps, sorted entries); the digest names the result.
 */
public final class BundleBuilder {
    private final RuntimeImage runtimes;

    public BundleBuilder(RuntimeImage runtimes) {
        this.runtimes = runtimes;
    }

    /**
     * Builds into {@code outDir} (replaced if present).
     *
     * @param jars the plugin's jar and its runtime dependencies, in class-path order
     */
    public Bundle build(PluginDescriptor descriptor, List<Path> jars, List<String> extraModules, Path outDir) {
        try {
            RuntimeImage.deleteTree(outDir);
            Path rootfs = Files.createDirectories(outDir.resolve("rootfs"));
            Path runtime = runtimes.linked(extraModules);
            RootfsAssembler.assemble(rootfs, runtime, jars, descriptor.binaries());
            List<String> jarNames = new ArrayList<>();
            jars.forEach(j -> jarNames.add(j.getFileName().toString()));
            BundleDigest.normaliseTimes(rootfs);
            String digest = BundleDigest.of(rootfs, ConfigJson.render(descriptor, jarNames, null));
            Files.write(outDir.resolve("config.json"), ConfigJson.render(descriptor, jarNames, digest));
            Files.writeString(outDir.resolve("bundle.sha256"), digest + "\n");
            BundleDigest.normaliseTimes(outDir);
            return new Bundle(descriptor, outDir, digest);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot build the bundle of " + descriptor.name() + " in " + outDir + ": "
                    + e.getMessage(), e);
        }
    }

    /**
     * Builds from a plugin input directory as the Maven build leaves it: {@code plugin.json} and {@code lib/*.jar}
     * (the class path is the jar names in sorted order, the plugin's own jar included).
     */
    public Bundle buildFromInput(Path inputDir, Path outDir) {
        PluginDescriptor d = PluginDescriptor.read(inputDir.resolve("plugin.json"));
        List<Path> jars;
        try (var list = Files.list(inputDir.resolve("lib"))) {
            jars = list.filter(p -> p.toString().endsWith(".jar")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + inputDir.resolve("lib") + ": " + e.getMessage(), e);
        }
        if (jars.isEmpty()) {
            throw new IllegalStateException("no jars in " + inputDir.resolve("lib") + ": build the project first");
        }
        return build(d, jars, List.of(), outDir);
    }
}
