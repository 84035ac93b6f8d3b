package dev.berth.zfs.e2e;

import dev.berth.packaging.Bundle;
import dev.berth.packaging.BundleBuilder;
import dev.berth.packaging.PluginDescriptor;
import dev.berth.packaging.RuntimeImage;
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
 * The berth/zfs bundle as the build leaves it, for tests that run before the package phase: the descriptor, the
 * dependency jars in target/container-plugin/lib, and the module's classes jarred here.
 */
final class ZfsBundle {
    private ZfsBundle() {
    }

    static Bundle build(Path out) {
        try {
            Files.createDirectories(out);
            Path classesJar = out.resolve("vol-zfs-classes.jar");
            jar(Path.of("target/classes"), classesJar);
            List<Path> jars = new ArrayList<>();
            try (Stream<Path> lib = Files.list(Path.of("target/container-plugin/lib"))) {
                lib.filter(p -> p.toString().endsWith(".jar"))
                        .filter(p -> !p.getFileName().toString().startsWith("vol-zfs-")).sorted().forEach(jars::add);
            }
            jars.add(classesJar);
            PluginDescriptor d = PluginDescriptor.read(Path.of("src/main/plugin/plugin.json"));
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
