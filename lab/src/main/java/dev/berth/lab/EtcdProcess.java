package dev.berth.lab;

import dev.berth.exec.Command;
import dev.berth.exec.CommandFailedException;
import dev.berth.exec.CommandResult;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The lab's one etcd (Debian etcd-server 3.4) in the root namespace: clients on the bridge
 * ({@code http://10.99.0.254:2379}, reachable from every host namespace) and on loopback port 23790 (for the machine
 * itself, clear of any etcd on the default port); peers on 127.0.0.1:23800 only; the v2 API on, for Docker's classic
 * cluster store. Data in /var/lib/berth-lab/etcd, wiped at every start.
 */
final class EtcdProcess {
    static final String LOCAL_ENDPOINT = "http://127.0.0.1:" + LabLayout.ETCD_LOCAL_CLIENT_PORT;
    static final String BRIDGE_ENDPOINT = "http://" + LabLayout.BRIDGE_ADDRESS + ":" + LabLayout.ETCD_CLIENT_PORT;

    private EtcdProcess() {
    }

    /**
     * Equivalent to: {@code rm -rf /var/lib/berth-lab/etcd; setsid etcd --name berth-lab --data-dir ...
     * --listen-client-urls http://10.99.0.254:2379,http://127.0.0.1:23790 --listen-peer-urls http://127.0.0.1:23800
     * --enable-v2 ... >>/var/lib/berth-lab/etcd.log 2>&1 &}. Returns its PID.
     */
    static long start(LabLayout layout) {
        Command.of("rm", "-rf", "--one-file-system", layout.etcdDataDir().toString()).check();
        try {
            Files.createDirectories(layout.varRoot());
        } catch (IOException e) {
            throw new LabException("cannot create " + layout.varRoot() + ": " + e.getMessage(), e);
        }
        return Daemon.launch(argv(layout), layout.etcdLog());
    }

    static List<String> argv(LabLayout layout) {
        String peer = "http://127.0.0.1:" + LabLayout.ETCD_PEER_PORT;
        return List.of("etcd",
                "--name", "berth-lab",
                "--data-dir", layout.etcdDataDir().toString(),
                "--listen-client-urls", BRIDGE_ENDPOINT + "," + LOCAL_ENDPOINT,
                "--advertise-client-urls", BRIDGE_ENDPOINT,
                "--listen-peer-urls", peer,
                "--initial-advertise-peer-urls", peer,
                "--initial-cluster", "berth-lab=" + peer,
                "--initial-cluster-token", "berth-lab",
                "--initial-cluster-state", "new",
                "--enable-v2",
                "--logger", "zap",
                "--log-outputs", "stderr");
    }

    /** Waits until {@code ETCDCTL_API=3 etcdctl --endpoints http://127.0.0.1:23790 endpoint health} succeeds. */
    static void awaitHealthy(LabLayout layout, long pid, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "";
        while (true) {
            if (!ProcTable.aliveNow(pid)) {
                throw failure(layout, "etcd (pid " + pid + ") exited");
            }
            try {
                CommandResult r = etcdctl(LOCAL_ENDPOINT, "endpoint", "health").timeout(Duration.ofSeconds(5)).run();
                if (r.ok()) {
                    return;
                }
                last = r.stderr().strip();
            } catch (CommandFailedException e) {
                last = e.getMessage();
            }
            if (System.nanoTime() > deadline) {
                throw failure(layout, "etcd (pid " + pid + ") not healthy within " + timeout.toSeconds() + " s ("
                        + last + ")");
            }
            ProcTable.sleep(Duration.ofMillis(200));
        }
    }

    /** Equivalent to: {@code ETCDCTL_API=3 etcdctl --endpoints ENDPOINT args...}. */
    static Command etcdctl(String endpoint, String... args) {
        List<String> argv = new java.util.ArrayList<>(List.of("etcdctl", "--endpoints", endpoint));
        argv.addAll(List.of(args));
        return Command.of(argv).env(Map.of("ETCDCTL_API", "3"));
    }

    private static LabException failure(LabLayout layout, String what) {
        return new LabException(what + "; last lines of " + layout.etcdLog() + ":\n" + Daemon.tail(layout.etcdLog(), 20));
    }
}
