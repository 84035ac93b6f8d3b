package dev.berth.bench;

import dev.berth.exec.Command;
import dev.berth.kv.KvStores;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The stores the KV benchmark starts for itself, each a real server in its own processes on loopback: etcd (Debian
 * etcd-server) with one member and with three, ZooKeeper (the standalone server from the ZooKeeper jar on this class
 * path), and the embedded store in a temporary directory.
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
        String etcd1 = etcd(root.resolve("etcd1"), 1, servers);
        targets.add(new KvBench.Target("etcd 3.4, 1 member", () -> KvStores.open("etcd://" + etcd1 + "/bench")));
        String etcd3 = etcd(root.resolve("etcd3"), 3, servers);
        targets.add(new KvBench.Target("etcd 3.4, 3 members", () -> KvStores.open("etcd://" + etcd3 + "/bench")));
        String zk = zookeeper(root.resolve("zk"), servers);
        targets.add(new KvBench.Target("ZooKeeper 3.9 (standalone)", () -> KvStores.open("zk://" + zk + "/bench")));
    }

    /** Starts an etcd cluster of n members on free loopback ports; returns the client endpoints (h:p,h:p). */
    static String etcd(Path dir, int members, List<AutoCloseable> servers) throws IOException {
        int[] client = new int[members];
        int[] peer = new int[members];
        List<String> initial = new ArrayList<>();
        for (int i = 0; i < members; i++) {
            client[i] = freePort();
            peer[i] = freePort();
            initial.add("m" + i + "=http://127.0.0.1:" + peer[i]);
        }
        List<String> endpoints = new ArrayList<>();
        for (int i = 0; i < members; i++) {
            Path data = Files.createDirectories(dir.resolve("m" + i));
            servers.add(start(List.of("/usr/bin/etcd", "--name", "m" + i, "--data-dir", data.toString(),
                    "--listen-client-urls", "http://127.0.0.1:" + client[i],
                    "--advertise-client-urls", "http://127.0.0.1:" + client[i],
                    "--listen-peer-urls", "http://127.0.0.1:" + peer[i],
                    "--initial-advertise-peer-urls", "http://127.0.0.1:" + peer[i],
                    "--initial-cluster", String.join(",", initial), "--initial-cluster-state", "new",
                    "--initial-cluster-token", "berth-bench-" + dir.getFileName()), dir.resolve("m" + i + ".log")));
            endpoints.add("127.0.0.1:" + client[i]);
        }
        for (int port : client) {
            awaitPort(port);
        }
        Command.of("etcdctl", "--endpoints", String.join(",", endpoints), "endpoint", "health")
                .env(java.util.Map.of("ETCDCTL_API", "3")).timeout(java.time.Duration.ofSeconds(30)).check();
        return String.join(",", endpoints);
    }

    /** Starts a standalone ZooKeeper server in its own JVM; returns host:port. */
    static String zookeeper(Path dir, List<AutoCloseable> servers) throws IOException {
        int port = freePort();
        Path data = Files.createDirectories(dir.resolve("data"));
        Path cfg = dir.resolve("zoo.cfg");
        Files.writeString(cfg, String.join("\n", "tickTime=2000", "dataDir=" + data, "clientPort=" + port,
                "clientPortAddress=127.0.0.1", "admin.enableServer=false", "maxClientCnxns=0", ""));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        servers.add(start(List.of(java, "-Xmx512m", "-cp", System.getProperty("java.class.path"),
                "org.apache.zookeeper.server.ZooKeeperServerMain", cfg.toString()), dir.resolve("zk.log")));
        awaitPort(port);
        return "127.0.0.1:" + port;
    }

    static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void awaitPort(int port) {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (System.nanoTime() < deadline) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException e) {
                try {
                    Thread.sleep(100);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
        throw new IllegalStateException("nothing listens on 127.0.0.1:" + port + " after 30 s");
    }

    /** Starts a process logging to a file; closing the handle kills it and waits. */
    static AutoCloseable start(List<String> argv, Path log) throws IOException {
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        return () -> {
            p.toHandle().destroyForcibly();
            p.waitFor();
        };
    }
}
