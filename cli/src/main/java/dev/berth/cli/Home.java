package dev.berth.cli;

import java.nio.file.Files;
import java.nio.file.Path;

/** Where Berth's checkout is ({@code BERTH_HOME}, set by the {@code ./berth} script) and where it builds bundles. */
record Home(Path root) {
    static Home detect() {
        String env = System.getenv("BERTH_HOME");
        Path root = env == null || env.isBlank() ? Path.of("").toAbsolutePath() : Path.of(env).toAbsolutePath();
        if (!Files.exists(root.resolve("pom.xml"))) {
            throw new IllegalStateException(root + " is not a Berth checkout (no pom.xml); run ./berth from the checkout");
        }
        return new Home(root);
    }

    Path bundles() {
        return root.resolve("target/bundles");
    }
}
