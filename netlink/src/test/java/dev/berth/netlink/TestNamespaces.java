package dev.berth.netlink;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Network namespaces for kernel tests, made with {@code ip netns add berth-nltest-<random>} and removed by
 * {@link #close()} even when the test failed. Only tests run {@code ip}; the library never does.
 */
final class TestNamespaces implements AutoCloseable {
    private final List<String> made = new ArrayList<>();

    /** Skips the calling test, saying why, unless this process is root. */
    static void assumeRoot() {
        boolean root;
        try {
            root = Files.readString(Path.of("/proc/self/status")).lines()
                    .anyMatch(l -> l.startsWith("Uid:") && l.split("\\s+")[2].equals("0"));
        } catch (IOException e) {
            root = false;
        }
        assumeTrue(root, "kernel netlink tests need root (CAP_NET_ADMIN and CAP_SYS_ADMIN for namespaces)");
        assumeTrue(Files.isExecutable(Path.of("/usr/sbin/ip")) || Files.isExecutable(Path.of("/sbin/ip")),
                "kernel netlink tests make namespaces with iproute2's ip (Debian's iproute2)");
    }

    /** A new, empty namespace; its name. */
    String create() {
        String name = "berth-nltest-" + UUID.randomUUID().toString().substring(0, 8);
        run("ip", "netns", "add", name);
        made.add(name);
        return name;
    }

    static Netns netns(String name) {
        return Netns.named(name);
    }

    /** Runs a command; returns its exit code and output. */
    static Result run(String... argv) {
        try {
            Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(String.join(" ", argv) + " timed out");
            }
            String out = new String(p.getInputStream().readAllBytes());
            return new Result(p.exitValue(), out);
        } catch (IOException e) {
            throw new IllegalStateException(String.join(" ", argv) + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    record Result(int exit, String output) {
    }

    @Override
    public void close() {
        List<String> failed = new ArrayList<>();
        for (String ns : made) {
            Result r = run("ip", "netns", "del", ns);
            if (r.exit() != 0) {
                failed.add(ns + ": " + r.output().trim());
            }
        }
        made.clear();
        if (!failed.isEmpty()) {
            throw new IllegalStateException("could not delete test namespaces " + failed);
        }
    }
}
