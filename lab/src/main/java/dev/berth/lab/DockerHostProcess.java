package dev.berth.lab;

import dev.berth.exec.Command;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * One lab host's dockerd, started in fresh mount and UTS namespaces and the host's network namespace:
 * <pre>
 * unshare -m -u --propagation slave sh -c 'set -e; hostname "$1"; mount --bind "$2" /run/docker/plugins;
 *     mount --bind "$3" /var/lib/berth; mount --bind "$4" /run/containerd; shift 4; exec "$@"' \
 *   sh h1 /var/lib/berth-lab/h1/plugins /var/lib/berth-lab/h1/berth /run/berth-lab/h1/containerd \
 *   nsenter --net=/var/run/netns/berth-h1 dockerd --data-root ... --exec-root ... --pidfile ... -H unix://...
 * </pre>
 * The shell text is fixed; every value reaches it as a positional argument. Why each piece is there:
 * <ul>
 * <li>{@code nsenter --net}, not {@code ip netns exec}: the latter remounts /sys and hides the cgroup mounts, and
 *     dockerd then dies with "Devices cgroup isn't mounted".</li>
 * <li>{@code -u} + {@code hostname}: without their own UTS namespace all hosts have one name, and Docker's gossip
 *     refuses duplicate node names.</li>
 * <li>{@code --propagation slave} under an rshared root: mounts made later in the root namespace (zfs-fuse datasets)
 *     still appear in the hosts, while the hosts' own mounts (overlay, netns files) stay out of the root namespace.</li>
 * <li>The bind mounts keep each host's plugin sockets, Berth state and containerd sockets apart; covering
 *     {@code /run/containerd} also stops dockerd from adopting a system containerd that all hosts would share.</li>
 * <li>daemon.json sets {@code cgroup-parent} (containers in {@code /berth-lab/hN/<id>}, found again by cleanup) and
 *     {@code deprecated-key-path} (otherwise all hosts share /etc/docker/key.json and report one engine ID).</li>
 * <li>Only when asked ({@link LabSpec#clusterStore()}): daemon.json sets {@code cluster-store} (the lab's etcd) and
 *     {@code cluster-advertise} (the host's underlay device), Docker 20.10's classic multi-host mode that its
 *     built-in overlay needs outside swarm.</li>
 * </ul>
 */
final class DockerHostProcess {
    private static final String SCRIPT = String.join("; ",
            "set -e",
            "hostname \"$1\"",
            "mount --bind \"$2\" /run/docker/plugins",
            "mount --bind \"$3\" /var/lib/berth",
            "mount --bind \"$4\" /run/containerd",
            "shift 4",
            "exec \"$@\"");

    private DockerHostProcess() {
    }

    /**
     * Once per lab, in the root namespace. Equivalent to: {@code mount --make-rshared /;
     * mkdir -p /run/docker/plugins /var/lib/berth /run/containerd} (the mount points each host covers; cleanup
     * removes them again when they are empty).
     */
    static void prepareRoot() {
        Command.of("mount", "--make-rshared", "/").check();
        LabLayout.HOST_MOUNT_POINTS.forEach(DockerHostProcess::mkdirs);
    }

    /** Makes the host's directories and daemon.json, then launches dockerd (not waiting for it). Returns its PID. */
    static long start(LabLayout layout, LabHost host) {
        return start(layout, host, false);
    }

    /** As {@link #start(LabLayout, LabHost)}, with Docker's classic cluster store on the lab's etcd when asked. */
    static long start(LabLayout layout, LabHost host, boolean clusterStore) {
        for (Path dir : List.of(layout.dataRoot(host), host.pluginDir(), host.stateDir(), layout.execRoot(host),
                layout.containerdRunDir(host))) {
            mkdirs(dir);
        }
        write(layout.daemonJson(host), daemonJson(layout, host, clusterStore));
        return Daemon.launch(argv(layout, host), layout.dockerLog(host));
    }

    /**
     * The host's daemon.json. {@code dns} names the host's own underlay address, where berth/dns serves: Docker's
     * 127.0.0.11 in every container forwards names it does not know there (the one-time host setting berth/dns needs).
     * Where nothing serves there, only names outside the host's own containers fail, as they would anyway in the lab.
     */
    static String daemonJson(LabLayout layout, LabHost host) {
        return daemonJson(layout, host, false);
    }

    /**
     * As {@link #daemonJson(LabLayout, LabHost)}; with {@code clusterStore} also
     * {@code "cluster-store": "etcd://10.99.0.254:2379", "cluster-advertise": "eth0:2376"}.
     */
    static String daemonJson(LabLayout layout, LabHost host, boolean clusterStore) {
        String cluster = !clusterStore ? ""
                : "  \"cluster-store\": \"" + LabLayout.CLUSTER_STORE_URL + "\",\n"
                + "  \"cluster-advertise\": \"" + LabLayout.UNDERLAY_DEVICE + ":" + LabLayout.CLUSTER_ADVERTISE_PORT
                + "\",\n";
        return "{\n  \"log-level\": \"info\",\n  \"cgroup-parent\": \"" + LabLayout.cgroupParent(host) + "\",\n"
                + "  \"deprecated-key-path\": \"" + layout.keyFile(host) + "\",\n"
                + cluster
                + "  \"dns\": [\"" + host.underlayAddress() + "\"]\n}\n";
    }

    static List<String> argv(LabLayout layout, LabHost host) {
        return List.of("unshare", "-m", "-u", "--propagation", "slave", "sh", "-c", SCRIPT, "sh",
                host.name(), host.pluginDir().toString(), host.stateDir().toString(),
                layout.containerdRunDir(host).toString(),
                "nsenter", "--net=" + host.netnsPath(), "dockerd",
                "--data-root", layout.dataRoot(host).toString(),
                "--exec-root", layout.execRoot(host).toString(),
                "--pidfile", layout.pidFile(host).toString(),
                "-H", host.dockerHost(),
                "--config-file", layout.daemonJson(host).toString());
    }

    /**
     * Waits until {@code docker -H unix:///run/berth-lab/hN/docker.sock version} answers. Fails early when the
     * process is gone, and at the deadline; either way with the tail of dockerd.log.
     */
    static void awaitReady(LabLayout layout, LabHost host, long pid, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            if (!ProcTable.aliveNow(pid)) {
                throw failure(layout, host, "dockerd (pid " + pid + ") exited");
            }
            if (Files.exists(host.dockerSocket()) && host.docker().answers()) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw failure(layout, host, "dockerd (pid " + pid + ") did not answer within " + timeout.toSeconds()
                        + " s");
            }
            ProcTable.sleep(Duration.ofMillis(200));
        }
    }

    private static LabException failure(LabLayout layout, LabHost host, String what) {
        return new LabException("lab host " + host.name() + ": " + what + "; last lines of " + layout.dockerLog(host)
                + ":\n" + Daemon.tail(layout.dockerLog(host), 20));
    }

    private static void mkdirs(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new LabException("cannot create " + dir + ": " + e.getMessage(), e);
        }
    }

    private static void write(Path file, String text) {
        try {
            Files.writeString(file, text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new LabException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }
}
