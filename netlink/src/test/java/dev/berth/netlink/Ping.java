package dev.berth.netlink;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** {@code ip netns exec NS ping}: iputils' ping if present, else busybox's (which {@code ./berth test} installs). */
final class Ping {
    private Ping() {
    }

    private static List<String> command() {
        for (String p : List.of("/usr/bin/ping", "/bin/ping")) {
            if (Files.isExecutable(Path.of(p))) {
                return List.of(p);
            }
        }
        for (String p : List.of("/usr/bin/busybox", "/bin/busybox")) {
            if (Files.isExecutable(Path.of(p))) {
                return List.of(p, "ping");
            }
        }
        assumeTrue(false, "needs ping: iputils-ping or busybox (./berth test installs busybox-static)");
        return List.of();
    }

    /** Pings {@code target} from inside namespace {@code ns}: exit 0 if it answered. */
    static TestNamespaces.Result from(String ns, String target) {
        return from(ns, target, 3);
    }

    /** With {@code count} echo requests, each waiting up to 2 s. */
    static TestNamespaces.Result from(String ns, String target, int count) {
        List<String> argv = new ArrayList<>(List.of("ip", "netns", "exec", ns));
        argv.addAll(command());
        argv.addAll(List.of("-c", Integer.toString(count), "-W", "2", target));
        return TestNamespaces.run(argv.toArray(String[]::new));
    }
}
