package dev.berth.bench;

import dev.berth.exec.Command;
import dev.berth.kv.KvStores;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The stores the KV benchmark starts for itself, as real servers in their own processes on loopback: etcd (Debian
 * etcd-server) with one and with three members, ZooKeeper (the server from the ZooKeeper jar on this class path),
 * and the embedded store in a temporary directory.
 */
final class BenchServers {
    private BenchServers() {
    }

    static void standard(List<KvBench.Target> targets, List<AutoCloseable> servers) throws IOException {
        Path root = Files.createTempDirectory("berth-kv-bench");
        servers.add(() -> Command.of("rm", "-rf", root.toString()).run());
        targets.add(new KvBench.Target("embedded (sync=full)",
                () -> KvStores.open("embedded://" + root.resolve("embedded-full"))));
        targets.add(new KvBench.Target("embedded (sync=normal)",
                () -> KvStores.open("embedded://" + root.resolve("embedded-normal") + "?sync=normal")));
    }

    static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Starts a detached process logging to a file; the returned handle kills it (and waits) on close. */
    static AutoCloseable start(List<String> argv, Path log) throws IOException {
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        return () -> {
            p.toHandle().destroyForcibly();
            p.waitFor();
        };
    }

    static List<String> list(String... items) {
        return new ArrayList<>(List.of(items));
    }

    static Duration seconds(int s) {
        return Duration.ofSeconds(s);
    }
}
