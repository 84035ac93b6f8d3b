package dev.berth.zfs.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.exec.CommandResult;
import dev.berth.exec.DockerCli;
import dev.berth.host.UnixHttp;
import dev.berth.lab.TestImage;
import dev.berth.packaging.Bundle;
import dev.berth.packaging.ModuleBundles;
import dev.berth.packaging.ContainerPluginInstaller;
import dev.berth.zfs.Volumes;
import dev.berth.zfs.ZfsCli;
import dev.berth.zfs.ZfsFusePool;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * berth/zfs end to end on a real dockerd in the root mount namespace with a real zfs-fuse pool, installed from its
 * bundle as a container sharing the host's mount propagation: quotas, data through container, plugin and daemon
 * restarts, a clone from a snapshot, and twenty containers mounting one volume at once.
 */
@Tag("lab")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ZfsDockerIT {
    private static final String IMAGE = TestImage.NAME;
    private static final String PLUGIN = "berth/zfs";
    private static ZfsFusePool pool;
    private static RootDockerd dockerd;
    private static DockerCli docker;
    private static Volumes volumes;

    @BeforeAll
    static void up() throws Exception {
        pool = ZfsFusePool.create("berthe2e", 1024);
        String parent = pool.name() + "/berth";
        volumes = new Volumes(ZfsCli.standard(), parent, Clock.systemUTC());
        Bundle bundle = ModuleBundles.build(Path.of(""), "target/container-plugin/lib", "vol-zfs",
                Path.of("target/e2e-zfs"));
        dockerd = RootDockerd.start();
        docker = dockerd.docker();
        new TestImage(Path.of("target/e2e-zfs/testbox").toAbsolutePath()).ensureLoaded(docker);
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("BERTH_ZFS_PARENT", parent);
        settings.put("BERTH_ZFS_RECONCILE_SECONDS", "5");
        settings.put("BERTH_ZFS_MOUNT_GRACE_SECONDS", "20");
        settings.put("zfs-mounts.source", pool.mountpoint().toString());
        settings.put("docker-socket.source", dockerd.socket().toString());
        new ContainerPluginInstaller(docker).ensure(bundle, settings);
        await("the plugin answers on its socket", Duration.ofSeconds(60), ZfsDockerIT::pluginAnswers);
    }

    @AfterAll
    static void down() {
        try {
            if (dockerd != null) {
                dockerd.close();
            }
            // the plugin was killed with its daemon: its socket file (in the machine's shared plugin directory) stays
            Files.deleteIfExists(Path.of(ContainerPluginInstaller.socketPath(PLUGIN)));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } finally {
            if (pool != null) {
                pool.close();
            }
        }
    }

    @Test
    @Order(1)
    void aVolumeOf100M_refusesA150MWrite() {
        docker.check("volume", "create", "-d", PLUGIN, "-o", "size=100M", "small");
        CommandResult r = run("small", "dd if=/dev/zero of=/data/big bs=1M count=150 2>&1; echo rc=$?; sync; "
                + "ls -l /data/big");
        String out = r.stdout() + r.stderr();
        assertTrue(out.contains("rc=1"), out);
        long written = Long.parseLong(out.lines().filter(l -> l.contains("/data/big")).reduce((a, b) -> b)
                .orElseThrow().trim().split("\\s+")[4]);
        System.out.println("bytes written into the 100M volume before the refusal: " + written);
        assertTrue(written <= 105L << 20, "wrote " + written + " bytes into a 100M volume");
        assertTrue(written >= 50L << 20, "the volume took only " + written + " bytes");
        docker.check("volume", "rm", "small");
        assertFalse(volumes.list().stream().anyMatch(v -> v.name().equals("small")));
    }

    @Test
    @Order(2)
    void data_survivesContainerPluginAndDaemonRestarts() throws Exception {
        docker.check("volume", "create", "-d", PLUGIN, "keep");
        assertTrue(run("keep", "echo hello > /data/f").ok());
        docker.check("run", "-d", "--name", "keeper", "--network", "none", "--restart", "always", "-v", "keep:/data",
                IMAGE, "sleep", "3600");
        assertEquals("hello", docker.check("exec", "keeper", "cat", "/data/f"));

        docker.check("restart", "keeper");
        assertEquals("hello", docker.check("exec", "keeper", "cat", "/data/f"));

        docker.check("restart", ContainerPluginInstaller.containerName(PLUGIN));
        await("the restarted plugin answers", Duration.ofSeconds(60), ZfsDockerIT::pluginAnswers);
        assertEquals(1, volumes.mounts("keep").size(), "the count survives a plugin restart: "
                + volumes.mounts("keep"));
        assertEquals("hello", run("keep", "cat /data/f").stdout().strip());
        assertEquals("hello", docker.check("exec", "keeper", "cat", "/data/f"));

        dockerd.restart();
        await("keeper runs again after the daemon restart", Duration.ofSeconds(120),
                () -> docker.command("exec", "keeper", "cat", "/data/f").run().stdout().strip().equals("hello"));
        await("the plugin answers after the daemon restart", Duration.ofSeconds(60), ZfsDockerIT::pluginAnswers);
        assertTrue(docker.check("volume", "ls", "-q").lines().anyMatch("keep"::equals));
        docker.check("rm", "-f", "keeper");
        await("no mount is left once keeper is gone (stale IDs reconciled)", Duration.ofSeconds(90),
                () -> volumes.mounts("keep").isEmpty() && !volumes.info("keep").mounted());
        docker.check("volume", "rm", "keep");
    }

    @Test
    @Order(3)
    void aCloneFromASnapshot_holdsTheSnapshotsData() {
        docker.check("volume", "create", "-d", PLUGIN, "src");
        assertTrue(run("src", "echo before > /data/f").ok());
        volumes.snapshots().take("src", "s1");
        assertTrue(run("src", "echo after > /data/f").ok());
        docker.check("volume", "create", "-d", PLUGIN, "-o", "from-snapshot=src@s1", "copy");
        assertEquals("before", run("copy", "cat /data/f").stdout().strip());
        assertEquals("after", run("src", "cat /data/f").stdout().strip());
        CommandResult pinned = docker.command("volume", "rm", "src").run();
        assertFalse(pinned.ok(), "src has a clone");
        assertTrue(pinned.stderr().contains("copy"), pinned.stderr());
        docker.check("volume", "rm", "copy");
        docker.check("volume", "rm", "src");
    }

    @Test
    @Order(4)
    void twentyContainersOnOneVolume_leaveCountZero_andOnlyThenIsItUnmounted() throws Exception {
        docker.check("volume", "create", "-d", PLUGIN, "many");
        ExecutorService starters = Executors.newFixedThreadPool(20);
        List<Future<String>> runs = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            String name = "many" + i;
            runs.add(starters.submit(() -> docker.command("run", "-d", "--name", name, "--network", "none",
                    "-v", "many:/data", IMAGE, "sh", "-c", "while [ ! -f /data/go ]; do sleep 0.2; done")
                    .timeout(Duration.ofMinutes(3)).check().line()));
        }
        for (Future<String> f : runs) {
            f.get();
        }
        starters.shutdown();
        assertEquals(20, volumes.mounts("many").size(), "one mount ID per container: " + volumes.mounts("many"));
        assertTrue(volumes.info("many").mounted());
        Files.writeString(Path.of(volumes.info("many").mountpoint()).resolve("go"), "go");
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        int lowest = 20;
        while (true) {
            int left = volumes.mounts("many").size();
            boolean mounted = volumes.info("many").mounted();
            if (left == 0) {
                break;
            }
            assertTrue(mounted, "unmounted while " + left + " mount(s) remain");
            lowest = Math.min(lowest, left);
            assertTrue(System.nanoTime() < deadline, "mounts left: " + volumes.mounts("many"));
            Thread.sleep(50);
        }
        await("unmounted once the last container is out", Duration.ofSeconds(30),
                () -> !volumes.info("many").mounted());
        System.out.println("fewest mounts seen before zero: " + lowest);
        for (int i = 0; i < 20; i++) {
            docker.check("rm", "many" + i);
        }
        docker.check("volume", "rm", "many");
    }

    private static CommandResult run(String volume, String script) {
        return docker.command("run", "--rm", "--network", "none", "-v", volume + ":/data", IMAGE, "sh", "-c", script)
                .timeout(Duration.ofMinutes(2)).run();
    }

    private static boolean pluginAnswers() {
        Path socket = Path.of(ContainerPluginInstaller.socketPath(PLUGIN));
        if (!Files.exists(socket)) {
            return false;
        }
        try {
            return UnixHttp.post(socket, "/Plugin.Activate", "{}").status() == 200;
        } catch (RuntimeException e) {
            return false;
        }
    }

    static void await(String what, Duration limit, BooleanSupplier done) {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting: " + what);
            }
            try {
                Thread.sleep(250);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }
}
