package dev.berth.bench;

import dev.berth.exec.Command;
import dev.berth.exec.CommandResult;
import dev.berth.exec.DockerCli;
import dev.berth.lab.TestImage;
import dev.berth.packaging.Bundle;
import dev.berth.packaging.BundleBuilder;
import dev.berth.packaging.ContainerPluginInstaller;
import dev.berth.packaging.RuntimeImage;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * berth/zfs against Docker's {@code local} driver, on a dockerd of its own in the root mount namespace (zfs-fuse mounts
 * datasets there; see the vol-zfs README) with a zfs-fuse pool on a file vdev, both made and removed by the bench:
 *
 * <ol>
 *   <li>latency: {@code docker volume create} + {@code docker run --rm -v VOL:/data true} + {@code docker volume rm},
 *       median of {@code runs} for each driver, and the ratio berth/zfs : local;</li>
 *   <li>sequential write throughput into one berth/zfs volume, busybox {@code dd bs=1M conv=fsync} of
 *       {@code megabytes}, inside a container ({@code docker exec}, its start-up, the median of 5
 *       {@code docker exec true}, subtracted: this busybox dd reports no timing) and from the host into the same
 *       dataset, and a third way (the host's process entering the container's mount namespace: the container's
 *       bind mount without its cgroups), in rotating order, median of 5 each, and the ratio
 *       container : host (target >= 0.95: the container writes through a bind mount of the same FUSE file system).</li>
 * </ol>
 *
 * <p>Run: {@code ./berth bench zfs [runs] [megabytes]} (defaults 9 and 512); needs root, zfs-fuse, docker.io and
 * busybox-static, and a built vol-zfs module ({@code vol-zfs/target/container-plugin}).
 */
public final class ZfsBench {
    private static final Path RUN = Path.of("/run/berth-zfs-bench");
    private static final Path DATA = Path.of("/var/lib/berth-zfs-bench");
    private static final String IMAGE = TestImage.NAME;

    private ZfsBench() {
    }

    public static void main(String[] args) throws Exception {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 9;
        int megabytes = args.length > 1 ? Integer.parseInt(args[1]) : 512;
        Path home = Path.of(System.getenv().getOrDefault("BERTH_HOME", "."));
        Bundle bundle = new BundleBuilder(RuntimeImage.fromBuildJdk())
                .buildFromInput(home.resolve("vol-zfs/target/container-plugin"), home.resolve("target/bundles/vol-zfs-bench"));
        // one berth/zfs at a time on this machine: the end-to-end test serves the same plugin socket
        java.nio.channels.FileChannel lockChannel = java.nio.channels.FileChannel.open(
                Path.of("/run/berth-zfs-e2e.lock"), java.nio.file.StandardOpenOption.CREATE,
                java.nio.file.StandardOpenOption.WRITE);
        java.nio.channels.FileLock lock = lockChannel.lock();
        ensureZfsFuse();
        String pool = "berthbench" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
        Path vdev = DATA.resolve(pool + ".img");
        Path mountRoot = Path.of("/mnt/berth-zfs-bench", pool);
        long dockerd = 0;
        try {
            Files.createDirectories(DATA);
            Files.createDirectories(RUN);
            try (RandomAccessFile f = new RandomAccessFile(vdev.toFile(), "rw")) {
                f.setLength(Math.max(1024, megabytes * 3L) << 20);
            }
            Command.of("zpool", "create", "-m", mountRoot.toString(), pool, vdev.toString()).check();
            dockerd = startDockerd();
            DockerCli docker = DockerCli.forHost("unix://" + RUN.resolve("docker.sock"));
            new TestImage(DATA.resolve("testbox")).ensureLoaded(docker);
            Map<String, String> settings = new LinkedHashMap<>();
            settings.put("BERTH_ZFS_PARENT", pool + "/berth");
            settings.put("zfs-mounts.source", mountRoot.toString());
            settings.put("docker-socket.source", RUN.resolve("docker.sock").toString());
            new ContainerPluginInstaller(docker).ensure(bundle, settings);
            awaitSocket(Path.of(ContainerPluginInstaller.socketPath("berth/zfs")));
            cycle(docker, "berth/zfs", "warm");
            cycle(docker, "local", "warm");

            List<Double> zfs = new ArrayList<>();
            List<Double> local = new ArrayList<>();
            for (int i = 0; i < runs; i++) {
                zfs.add(cycle(docker, "berth/zfs", "z" + i));
                local.add(cycle(docker, "local", "l" + i));
            }
            double zfsMs = median(zfs);
            double localMs = median(local);

            docker.check("volume", "create", "-d", "berth/zfs", "tput");
            docker.check("run", "-d", "--name", "holder", "--network", "none", "-v", "tput:/data", IMAGE, "sleep",
                    "3600");
            Path hostDir = Path.of(Command.of("zfs", "get", "-H", "-o", "value", "mountpoint", pool + "/berth/tput")
                    .check().line());
            List<Double> execs = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                long t0 = System.nanoTime();
                docker.check("exec", "holder", "true");
                execs.add((System.nanoTime() - t0) / 1e6);
            }
            double execMs = median(execs);
            long holderPid = Long.parseLong(docker.check("inspect", "--format", "{{.State.Pid}}", "holder"));
            List<Double> inContainer = new ArrayList<>();
            List<Double> fromHost = new ArrayList<>();
            List<Double> inMountNs = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                for (int k = 0; k < 3; k++) {
                    switch ((i + k) % 3) {
                        case 0 -> {
                            inContainer.add(timed(docker.command("exec", "holder", "dd", "if=/dev/zero", "of=/data/c",
                                    "bs=1M", "count=" + megabytes, "conv=fsync"), megabytes, execMs));
                            docker.check("exec", "holder", "rm", "-f", "/data/c");
                        }
                        case 1 -> {
                            fromHost.add(timed(Command.of("busybox", "dd", "if=/dev/zero", "of=" + hostDir.resolve("h"),
                                    "bs=1M", "count=" + megabytes, "conv=fsync"), megabytes, 0));
                            Files.deleteIfExists(hostDir.resolve("h"));
                        }
                        default -> {
                            inMountNs.add(timed(Command.of("nsenter", "-t", Long.toString(holderPid), "-m",
                                    "/bin/busybox", "dd", "if=/dev/zero", "of=/data/n", "bs=1M", "count=" + megabytes,
                                    "conv=fsync"), megabytes, 0));
                            Files.deleteIfExists(hostDir.resolve("n"));
                        }
                    }
                }
            }
            docker.check("rm", "-f", "holder");
            docker.check("volume", "rm", "tput");
            double c = median(inContainer);
            double h = median(fromHost);
            double ns = median(inMountNs);

            System.out.println("# berth/zfs benchmark, " + LocalDate.now() + " (zfs-fuse pool on a file vdev, "
                    + "Docker " + docker.check("version", "--format", "{{.Server.Version}}") + ")");
            System.out.printf("create + run -v true + rm, median of %d: berth/zfs %.0f ms, local %.0f ms, "
                    + "ratio %.2f%n", runs, zfsMs, localMs, zfsMs / localMs);
            System.out.printf("sequential write %d MiB (busybox dd bs=1M conv=fsync), median of 5: in a container %.1f MiB/s, "
                    + "from the host %.1f MiB/s, ratio %.2f (target >= 0.95; docker exec start-up of %.0f ms "
                    + "subtracted)%n", megabytes, c, h, c / h, execMs);
            System.out.printf("  the container's mount path alone (nsenter -m into it, host cgroups): %.1f MiB/s, "
                    + "ratio %.2f to the host%n", ns, ns / h);
        } finally {
            if (dockerd > 0) {
                stopDockerd(dockerd);
            }
            destroyPool(pool, vdev);
            Files.deleteIfExists(Path.of(ContainerPluginInstaller.socketPath("berth/zfs")));
            lock.release();
            lockChannel.close();
        }
    }

    /**
     * The containers' mount namespaces may still hold the pool's file systems for a moment after their daemon stopped
     * ("pool is busy"): tries for up to 30 s, and deletes the vdev only once the pool is gone.
     */
    private static void destroyPool(String pool, Path vdev) throws IOException, InterruptedException {
        for (int attempt = 0; attempt < 60; attempt++) {
            CommandResult r = Command.of("zpool", "destroy", "-f", pool).run();
            if (r.ok() || r.stderr().contains("no such pool")) {
                Files.deleteIfExists(vdev);
                return;
            }
            Thread.sleep(500);
        }
        System.err.println("could not destroy pool " + pool + ": destroy it with `zpool destroy -f " + pool + "`");
    }

    /** One create + run + rm cycle, in milliseconds. */
    private static double cycle(DockerCli docker, String driver, String name) {
        long t0 = System.nanoTime();
        docker.check("volume", "create", "-d", driver, name);
        docker.check("run", "--rm", "--network", "none", "-v", name + ":/data", IMAGE, "true");
        docker.check("volume", "rm", name);
        return (System.nanoTime() - t0) / 1e6;
    }

    /** Runs a write and returns MiB/s over its wall time less {@code overheadMs} (the start of docker exec). */
    private static double timed(Command command, int megabytes, double overheadMs) {
        long t0 = System.nanoTime();
        CommandResult r = command.timeout(Duration.ofMinutes(10)).run();
        double s = ((System.nanoTime() - t0) / 1e6 - overheadMs) / 1e3;
        if (!r.ok()) {
            throw new IllegalStateException("`" + command + "` failed: " + r.stderr());
        }
        return megabytes / s;
    }

    private static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    private static void ensureZfsFuse() throws InterruptedException {
        if (Command.of("zpool", "list", "-H").run().ok()) {
            return;
        }
        Command.of("zfs-fuse", "--pidfile", "/run/zfs-fuse.pid").check();
        for (int i = 0; i < 100 && !Command.of("zpool", "list", "-H").run().ok(); i++) {
            Thread.sleep(200);
        }
    }

    private static long startDockerd() throws IOException, InterruptedException {
        Path pidFile = RUN.resolve("docker.pid");
        if (Files.exists(pidFile)) {
            long old = Long.parseLong(Files.readString(pidFile).trim());
            Path cmd = Path.of("/proc/" + old + "/cmdline");
            if (Files.exists(cmd) && Files.readString(cmd).contains(RUN.toString())) {
                stopDockerd(old);
            }
        }
        Files.deleteIfExists(RUN.resolve("docker.sock"));
        new ProcessBuilder("setsid", "dockerd", "--data-root", DATA.resolve("docker").toString(), "--exec-root",
                RUN.resolve("exec").toString(), "--pidfile", pidFile.toString(), "-H", "unix://" + RUN.resolve(
                "docker.sock"), "--bridge", "none", "--iptables=false", "--ip-masq=false", "--ip-forward=false",
                "--cgroup-parent", "berth-zfs-bench").redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(DATA.resolve("dockerd.log").toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        DockerCli docker = DockerCli.forHost("unix://" + RUN.resolve("docker.sock"));
        for (int i = 0; i < 200 && !docker.answers(); i++) {
            Thread.sleep(300);
        }
        if (!docker.answers()) {
            throw new IllegalStateException("the bench dockerd did not start; see " + DATA.resolve("dockerd.log"));
        }
        return Long.parseLong(Files.readString(pidFile).trim());
    }

    private static void stopDockerd(long pid) throws InterruptedException {
        DockerCli docker = DockerCli.forHost("unix://" + RUN.resolve("docker.sock"));
        if (docker.answers()) {
            String ids = docker.command("ps", "-aq").run().stdout().strip();
            if (!ids.isEmpty()) {
                List<String> rm = new ArrayList<>(List.of("rm", "-f"));
                rm.addAll(List.of(ids.split("\\s+")));
                docker.command(rm).run();
            }
        }
        Command.of("kill", "-TERM", Long.toString(pid)).run();
        for (int i = 0; i < 300 && Files.exists(Path.of("/proc/" + pid)); i++) {
            Thread.sleep(200);
        }
    }

    private static void awaitSocket(Path socket) throws InterruptedException {
        for (int i = 0; i < 300 && !Files.exists(socket); i++) {
            Thread.sleep(200);
        }
        if (!Files.exists(socket)) {
            throw new IllegalStateException("berth/zfs did not open " + socket);
        }
        Thread.sleep(500);
    }
}
