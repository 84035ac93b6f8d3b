package dev.berth.packaging;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;

/**
 * A module's bundle as its own tests need it, before Maven's package phase has made the module's jar: the descriptor
 * ({@code src/main/plugin/plugin.json}), the dependency jars the build copied to {@code target/plugin/lib}, and the
 * module's compiled classes, jarred here (reproducibly: sorted entries, zero timestamps).
 */
public final class ModuleBundles {
    private ModuleBundles() {
    }

    /** Builds from the module directory the tests run in (the current directory under Maven). */
    public static Bundle build(Path moduleDir, String artifactId, Path out) {
        return build(moduleDir, "target/plugin/lib", artifactId, out);
    }

    /** As {@link #build(Path, String, Path)} with the dependency jars in another directory of the module. */
    public static Bundle build(Path moduleDir, String libDir, String artifactId, Path out) {
        return build(moduleDir, libDir, artifactId, "src/main/plugin/plugin.json", out);
    }

    /**
     * As {@link #build(Path, String, String, Path)} with another descriptor of the module (a second bundle from the
     * same classes, such as a service beside its plugin).
     */
    public static Bundle build(Path moduleDir, String libDir, String artifactId, String descriptor, Path out) {
        try {
            Files.createDirectories(out);
            Path classesJar = out.resolve(artifactId + "-classes.jar");
            jar(moduleDir.resolve("target/classes"), classesJar);
            List<Path> jars = new ArrayList<>();
            try (Stream<Path> lib = Files.list(moduleDir.resolve(libDir))) {
                lib.filter(p -> p.toString().endsWith(".jar"))
                        .filter(p -> !p.getFileName().toString().startsWith(artifactId + "-")).sorted()
                        .forEach(jars::add);
            }
            jars.add(classesJar);
            PluginDescriptor d = PluginDescriptor.read(moduleDir.resolve(descriptor));
            return new BundleBuilder(RuntimeImage.fromBuildJdk()).build(d, jars, List.of(), out.resolve("bundle"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void jar(Path classes, Path target) throws IOException {
        List<Path> files;
        try (Stream<Path> walk = Files.walk(classes)) {
            files = walk.filter(Files::isRegularFile).sorted().toList();
        }
        try (OutputStream os = Files.newOutputStream(target); JarOutputStream jar = new JarOutputStream(os)) {
            for (Path f : files) {
                JarEntry e = new JarEntry(classes.relativize(f).toString().replace('\\', '/'));
                e.setTime(0);
                jar.putNextEntry(e);
                Files.copy(f, jar);
                jar.closeEntry();
            }
        }
    }
}
