package dev.berth.packaging;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The test-only directory volume plugin (plugin-host's test sources), built into a bundle like a real plugin. */
final class TestPlugin {
    static final Path DESCRIPTOR = Path.of("../plugin-host/src/test/plugin/testvol/plugin.json");
    static final Path LIB = Path.of("target/testvol/lib");

    private TestPlugin() {
    }

    static List<Path> jars() {
        try (var list = Files.list(LIB)) {
            return list.filter(p -> p.toString().endsWith(".jar")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Bundle build(Path out) {
        return new BundleBuilder(RuntimeImage.fromBuildJdk()).build(PluginDescriptor.read(DESCRIPTOR), jars(),
                List.of(), out);
    }
}
