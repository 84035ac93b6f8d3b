package dev.berth.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The plugins of the suite, as the Maven build leaves them: every module with {@code target/plugin/plugin.json} and
 * {@code target/plugin/lib/*.jar}, and its further inputs {@code target/plugin-NAME/} (a service beside its plugin,
 * such as net-wireguard's wireguard-go keeper). A driver module becomes part of {@code berth up} by producing that directory.
 */
final class SuiteCatalogue {
    private SuiteCatalogue() {
    }

    static List<Path> pluginInputs(Home home) {
        try (var modules = Files.list(home.root())) {
            List<Path> out = new java.util.ArrayList<>();
            for (Path m : modules.sorted().toList()) {
                Path target = m.resolve("target");
                if (!Files.isDirectory(target)) {
                    continue;
                }
                try (var dirs = Files.list(target)) {
                    dirs.filter(p -> p.getFileName().toString().matches("plugin(-[a-z]+)?"))
                            .filter(p -> Files.isRegularFile(p.resolve("plugin.json")))
                            .sorted().forEach(out::add);
                }
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
