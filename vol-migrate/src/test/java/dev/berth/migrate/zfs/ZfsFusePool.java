package dev.berth.migrate.zfs;

import dev.berth.exec.Command;
import dev.berth.exec.CommandResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Copied from vol-zfs's test helper of the same name (own vdev and mount directories, so that each module's stale-pool
 * sweep sees only its own pools). A real zfs-fuse pool for one test class: installs zfs-fuse if missing (apt), starts the machine's one zfs-fuse
 * daemon if it is not running, and creates a pool with a unique name on a file vdev. {@link #close()} destroys that
 * pool and its file, and nothing else: pools this class did not create are never touched.
 */
public final class ZfsFusePool implements AutoCloseable {
    /** Where the daemon listens; the {@code zfs} command talks to it there. */
    public static final Path CONTROL_SOCKET = Path.of("/run/zfs/zfs_socket");
    static final Path PID_FILE = Path.of("/run/zfs-fuse.pid");
    static final Path VDEV_DIR = Path.of("/var/tmp/berth-migrate-test");
    static final Path MOUNT_ROOT = Path.of("/mnt/berth-migrate-test");
    private final String pool;
    private final Path vdev;

    private ZfsFusePool(String pool, Path vdev) {
        this.pool = pool;
        this.vdev = vdev;
    }

    /** A fresh pool of {@code sizeMiB} MiB mounted under /mnt/berth-migrate-test/NAME. */
    public static ZfsFusePool create(String prefix, int sizeMiB) {
        ensureDaemon();
        String name = prefix + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
        try {
            Files.createDirectories(VDEV_DIR);
            removeStale();
            Files.writeString(VDEV_DIR.resolve(name + ".owner"), Long.toString(ProcessHandle.current().pid()));
            Path vdev = VDEV_DIR.resolve(name + ".img");
            try (var f = new java.io.RandomAccessFile(vdev.toFile(), "rw")) {
                f.setLength(sizeMiB * 1024L * 1024L);
            }
            Command.of("zpool", "create", "-m", MOUNT_ROOT.resolve(name).toString(), name, vdev.toString())
                    .timeout(Duration.ofSeconds(60)).check();
            return new ZfsFusePool(name, vdev);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Pools this class made in a run that died (its owner process is gone): each pool's owner pid is kept beside its
     * vdev, so a pool of a run still going on (another test JVM, another engineer) is never touched.
     */
    private static void removeStale() throws IOException {
        try (var files = Files.list(VDEV_DIR)) {
            for (Path owner : files.filter(f -> f.toString().endsWith(".owner")).toList()) {
                String pool = owner.getFileName().toString().replace(".owner", "");
                long pid;
                try {
                    pid = Long.parseLong(Files.readString(owner).trim());
                } catch (NumberFormatException e) {
                    continue;
                }
                if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
                    continue;
                }
                new ZfsFusePool(pool, VDEV_DIR.resolve(pool + ".img")).close();
            }
        }
    }

    /** Installs zfs-fuse when absent and starts its daemon when it is not answering. */
    public static synchronized void ensureDaemon() {
        if (!Files.isExecutable(Path.of("/sbin/zfs-fuse")) && !Files.isExecutable(Path.of("/usr/sbin/zfs-fuse"))) {
            Command.of("apt-get", "install", "-y", "zfs-fuse").env(java.util.Map.of("DEBIAN_FRONTEND",
                    "noninteractive")).timeout(Duration.ofMinutes(5)).check();
        }
        if (answers()) {
            return;
        }
        removeStalePidFile();
        CommandResult started = Command.of("zfs-fuse", "--pidfile", PID_FILE.toString())
                .timeout(Duration.ofSeconds(30)).run();
        if (!started.ok() && !running()) {
            // zfs-fuse exits 1 without a word when its pid file names a live process: say what we saw
            throw new IllegalStateException("zfs-fuse exited " + started.exitCode() + " (" + started.stderr().strip()
                    + "); pid file " + PID_FILE + (Files.exists(PID_FILE) ? " present" : " absent"));
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!answers()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("zfs-fuse started but does not answer on " + CONTROL_SOCKET);
            }
            sleep(200);
        }
    }

    /**
     * zfs-fuse refuses to start (exit 1, no message) while its pid file exists, even when the process it names is long
     * gone, as after a machine's processes were killed without a clean shutdown. Such a file is removed here.
     */
    private static void removeStalePidFile() {
        if (!running()) {
            try {
                Files.deleteIfExists(PID_FILE);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** Whether the pid file names a live zfs-fuse process. */
    private static boolean running() {
        try {
            long pid = Long.parseLong(Files.readString(PID_FILE).strip());
            return ProcessHandle.of(pid).flatMap(h -> h.info().command())
                    .map(c -> c.endsWith("zfs-fuse")).orElse(false);
        } catch (IOException | NumberFormatException e) {
            return false;
        }
    }

    private static boolean answers() {
        if (!Files.exists(CONTROL_SOCKET)) {
            return false;
        }
        CommandResult r = Command.of("zpool", "list", "-H", "-o", "name").timeout(Duration.ofSeconds(10)).run();
        return r.ok();
    }

    public String name() {
        return pool;
    }

    /** Where the pool's root dataset is mounted. */
    public Path mountpoint() {
        return MOUNT_ROOT.resolve(pool);
    }

    /** Runs {@code zfs ARGS...} and returns its standard output; fails the test when it fails. */
    public static String zfs(String... args) {
        java.util.List<String> argv = new java.util.ArrayList<>(java.util.List.of("zfs"));
        argv.addAll(java.util.List.of(args));
        return Command.of(argv).timeout(Duration.ofSeconds(60)).check().stdout();
    }

    /** Where a dataset of this pool is mounted (mounting it first if needed). */
    public Path mounted(String dataset) {
        CommandResult r = Command.of("zfs", "mount", dataset).timeout(Duration.ofSeconds(60)).run();
        if (!r.ok() && !r.stderr().contains("already mounted")) {
            throw new IllegalStateException("zfs mount " + dataset + ": " + r.stderr());
        }
        return Path.of(zfs("get", "-H", "-o", "value", "mountpoint", dataset).strip());
    }

    @Override
    public void close() {
        for (int attempt = 0; attempt < 10; attempt++) {
            CommandResult r = Command.of("zpool", "destroy", "-f", pool).timeout(Duration.ofSeconds(60)).run();
            if (r.ok() || r.stderr().contains("no such pool")) {
                break;
            }
            sleep(500);
        }
        try {
            Files.deleteIfExists(vdev);
            Files.deleteIfExists(VDEV_DIR.resolve(pool + ".owner"));
            Files.deleteIfExists(mountpoint());
        } catch (IOException ignored) {
            // a leftover empty directory or file is harmless; the pool itself is gone
        }
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
