package dev.berth.zfs.e2e;

import dev.berth.exec.Command;
import dev.berth.exec.DockerCli;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;

/**
 * A dockerd of the test's own in the machine's root mount namespace, beside any other: its own data root, exec root
 * (so its own containerd), socket, pidfile and cgroup parent; no bridge, no iptables, containers with
 * {@code --network none}. It must be in the root mount namespace: zfs-fuse mounts datasets there, and the plugin
 * container's unmounts reach that namespace only through a shared mount (a lab host is a slave of it).
 *
 * <p>One run at a time per machine (a lock file); a daemon left by a crashed run is stopped first. Equivalent to:
 * {@code dockerd --data-root /var/lib/berth-zfs-e2e/docker --exec-root /run/berth-zfs-e2e/exec
 * -H unix:///run/berth-zfs-e2e/docker.sock --bridge none --iptables=false ...}.
 */
final class RootDockerd implements AutoCloseable {
    static final Path RUN = Path.of("/run/berth-zfs-e2e");
    static final Path DATA = Path.of("/var/lib/berth-zfs-e2e");
    private static final Path LOCK = Path.of("/run/berth-zfs-e2e.lock");
    private final FileChannel lockChannel;
    private final FileLock lock;
    private long pid;

    private RootDockerd(FileChannel lockChannel, FileLock lock) {
        this.lockChannel = lockChannel;
        this.lock = lock;
    }

    static RootDockerd start() throws Exception {
        FileChannel ch = FileChannel.open(LOCK, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock l = ch.lock();
        RootDockerd d = new RootDockerd(ch, l);
        d.stopStale();
        Files.createDirectories(RUN);
        Files.createDirectories(DATA);
        d.launch();
        return d;
    }

    DockerCli docker() {
        return DockerCli.forHost("unix://" + socket());
    }

    Path socket() {
        return RUN.resolve("docker.sock");
    }

    /** SIGTERM, wait for the exit, start the same daemon again: what a host's init does on restart. */
    void restart() throws Exception {
        stop();
        launch();
    }

    private List<String> argv() {
        return List.of("dockerd", "--data-root", DATA.resolve("docker").toString(), "--exec-root",
                RUN.resolve("exec").toString(), "--pidfile", RUN.resolve("docker.pid").toString(), "-H",
                "unix://" + socket(), "--bridge", "none", "--iptables=false", "--ip-masq=false", "--ip-forward=false",
                "--cgroup-parent", "berth-zfs-e2e", "--storage-driver", "overlay2");
    }

    private void launch() throws Exception {
        Files.deleteIfExists(socket());
        Process p = new ProcessBuilder(prepend("setsid", argv())).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(DATA.resolve("dockerd.log").toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!docker().answers()) {
            if (!p.isAlive() || System.nanoTime() > deadline) {
                throw new IllegalStateException("the e2e dockerd did not start; see " + DATA.resolve("dockerd.log"));
            }
            Thread.sleep(300);
        }
        pid = Long.parseLong(Files.readString(RUN.resolve("docker.pid")).trim());
    }

    private void stop() throws Exception {
        if (pid <= 0) {
            return;
        }
        Command.of("kill", "-TERM", Long.toString(pid)).run();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (Files.exists(Path.of("/proc/" + pid)) && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
        if (Files.exists(Path.of("/proc/" + pid))) {
            Command.of("kill", "-KILL", Long.toString(pid)).run();
            Thread.sleep(500);
        }
        pid = 0;
    }

    private void stopStale() throws Exception {
        Path pidFile = RUN.resolve("docker.pid");
        if (Files.exists(pidFile)) {
            try {
                long old = Long.parseLong(Files.readString(pidFile).trim());
                String cmd = Files.exists(Path.of("/proc/" + old + "/cmdline"))
                        ? Files.readString(Path.of("/proc/" + old + "/cmdline")) : "";
                if (cmd.contains(RUN.toString())) {
                    pid = old;
                    stop();
                }
            } catch (NumberFormatException | IOException e) {
                // no usable pid: nothing of ours runs
            }
        }
    }

    @Override
    public void close() {
        try {
            DockerCli d = docker();
            if (pid > 0 && d.answers()) {
                String ids = d.command("ps", "-aq").run().stdout().strip();
                if (!ids.isEmpty()) {
                    d.command(prepend("rm", prepend("-f", List.of(ids.split("\\s+"))))).run();
                }
                // each build imports a plugin image of its own digest: keep the data root from growing run by run
                for (String image : d.command("images", "--format", "{{.Repository}}:{{.Tag}}", "berth-plugin/*")
                        .run().stdout().lines().filter(l -> !l.isBlank()).toList()) {
                    d.command("rmi", "-f", image).run();
                }
            }
            stop();
        } catch (Exception e) {
            throw new IllegalStateException("stopping the e2e dockerd failed: " + e.getMessage(), e);
        } finally {
            try {
                lock.release();
                lockChannel.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private static List<String> prepend(String first, List<String> rest) {
        java.util.ArrayList<String> out = new java.util.ArrayList<>();
        out.add(first);
        out.addAll(rest);
        return out;
    }
}
