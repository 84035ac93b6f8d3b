package dev.berth.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The plugins of the suite, as the Maven build leaves them: every module with {@code target/plugin/plugin.json} and
 * {@code target/plugin/lib/*.jar}. A driver module becomes part of {@code berth up} by producing that directory.
 */
final class SuiteCatalogue {
    private SuiteCatalogue() {
    }

    static List<Path> pluginInputs(Home home) {
        try (var modules = Files.list(home.root())) {
            return modules.map(m -> m.resolve("target/plugin"))
                    .filter(p -> Files.isRegularFile(p.resolve("plugin.json")))
                    .sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
