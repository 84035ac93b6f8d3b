package dev.berth.cli;

import dev.berth.exec.Command;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/** Installs missing Debian packages. Equivalent to: {@code apt-get update && apt-get install -y PKG...}. */
final class Apt {
    private Apt() {
    }

    static void ensure(List<String> packages, Consumer<String> say) {
        List<String> missing = new ArrayList<>();
        for (String p : packages) {
            var r = Command.of("dpkg-query", "-W", "-f=${Status}", p).run();
            if (!r.ok() || !r.stdout().contains("install ok installed")) {
                missing.add(p);
            }
        }
        if (missing.isEmpty()) {
            return;
        }
        say.accept("installing Debian packages: " + String.join(" ", missing));
        Map<String, String> env = Map.of("DEBIAN_FRONTEND", "noninteractive");
        Command.of("apt-get", "update", "-q").env(env).timeout(Duration.ofMinutes(10)).check();
        List<String> argv = new ArrayList<>(List.of("apt-get", "install", "-y", "-q", "--no-install-recommends"));
        argv.addAll(missing);
        Command.of(argv).env(env).timeout(Duration.ofMinutes(20)).check();
    }
}
