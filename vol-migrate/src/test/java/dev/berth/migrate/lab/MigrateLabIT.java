package dev.berth.migrate.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.exec.Command;
import dev.berth.exec.CommandResult;
import dev.berth.lab.Lab;
import dev.berth.lab.LabHost;
import dev.berth.lab.LabSpec;
import dev.berth.migrate.MigrationException;
import dev.berth.migrate.agent.AgentClient;
import dev.berth.migrate.agent.MigrationStatus;
import dev.berth.migrate.zfs.ZfsFusePool;
import dev.berth.packaging.Bundle;
import dev.berth.packaging.BundleBuilder;
import dev.berth.packaging.ContainerPluginInstaller;
import dev.berth.packaging.ModuleBundles;
import dev.berth.packaging.PluginInstaller;
import dev.berth.packaging.RuntimeImage;
import dev.berth.packaging.ServiceInstaller;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Migration end to end on two lab hosts sharing etcd, each with its own zfs-fuse pool, berth/zfs, berth/ipam,
 * berth/overlay and the migration agent: a container appending a counter to its volume (an fsync per write) and
 * serving its last value over the overlay moves from h1 to h2 while a prober on h1 reads it; afterwards every
 * acknowledged write is in the log (1..N without a gap), the container answers at the same address from h2, and the
 * downtime is printed. Then the faults: the target's agent killed during the pre-copy leaves the container running
 * where it was, and a retry succeeds.
 */
@Tag("lab")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MigrateLabIT {
    private static final Lab LAB = Lab.standard().reporting(System.out::println);
    private static final String NET = "mignet";
    private static final String SUBNET = "10.92.0.0/24";
    private static final String VOLUME = "counterdata";
    /** Appends n+1 with an fsync per write, and serves the last value on port 8080. */
    private static final String COUNTER = "trap 'exit 0' TERM; touch /data/log; i=$(tail -n 1 /data/log); i=${i:-0}; "
            + "(while true; do tail -n 1 /data/log | nc -l -p 8080 >/dev/null 2>&1; done) & "
            + "while true; do i=$((i+1)); echo $i | dd of=/data/log oflag=append conv=notrunc,fsync 2>/dev/null; done";
    private static final List<ZfsFusePool> pools = new ArrayList<>();
    private static List<LabHost> hosts;

    @BeforeAll
    static void up() throws Exception {
        Bundle overlay = ModuleBundles.build(Path.of("../net-overlay"), "net-overlay",
                Path.of("target/e2e-overlay").toAbsolutePath());
        Bundle ipam = new BundleBuilder(RuntimeImage.fromBuildJdk()).buildFromInput(
                Path.of("../net-ipam/target/plugin"), Path.of("target/e2e-ipam-bundle"));
        Bundle zfs = ModuleBundles.build(Path.of("../vol-zfs"), "target/container-plugin/lib", "vol-zfs",
                Path.of("target/e2e-zfs").toAbsolutePath());
        Bundle agent = ModuleBundles.build(Path.of(""), "target/agent-plugin/lib", "vol-migrate",
                "src/main/agent/plugin.json", Path.of("target/e2e-agent"));
        pools.add(ZfsFusePool.create("bmlab1", 768));
        pools.add(ZfsFusePool.create("bmlab2", 768));
        hosts = LAB.up(new LabSpec(2, true), (h, kv) -> {
            ZfsFusePool pool = pools.get(h.index() - 1);
            PluginInstaller installer = new PluginInstaller(h.docker());
            installer.ensure(ipam, Map.of("BERTH_KV", kv.orElseThrow(), "docker-socket.source",
                    h.dockerSocket().toString()));
            installer.ensure(overlay, Map.of("BERTH_KV", kv.orElseThrow()));
            // the lab host's copy of the pool's mount is a slave of the root namespace's; berth/zfs binds it
            // rshared, which Docker allows only from a shared mount: make it shared too (still a slave)
            long dockerd = h.processes("dockerd").stream().findFirst().orElseThrow();
            Command.of("nsenter", "-t", Long.toString(dockerd), "-m", "mount", "--make-rshared",
                    pool.mountpoint().toString()).check();
            Map<String, String> z = new LinkedHashMap<>();
            z.put("BERTH_ZFS_PARENT", pool.name() + "/berth");
            z.put("zfs-mounts.source", pool.mountpoint().toString());
            z.put("docker-socket.source", h.dockerSocket().toString());
            new ContainerPluginInstaller(h.docker()).ensure(zfs, z);
            Map<String, String> a = new LinkedHashMap<>();
            a.put("BERTH_KV", kv.orElseThrow());
            a.put("BERTH_ZFS_PARENT", pool.name() + "/berth");
            a.put("BERTH_MIGRATE_ADDRESS", h.underlayAddress());
            a.put("docker-socket.source", h.dockerSocket().toString());
            new ServiceInstaller(h.docker()).ensure(agent, a);
        });
        for (LabHost h : hosts) {
            await(h.name() + "'s agent answers", Duration.ofSeconds(60), () -> {
                try {
                    client(h).describe();
                    return true;
                } catch (MigrationException e) {
                    return false;
                }
            });
            h.docker().command("network", "create", "-d", "berth/overlay:latest", "--ipam-driver",
                    "berth/ipam:latest", "--ipam-opt", "berth.scope=global", "--subnet", SUBNET, NET)
                    .timeout(Duration.ofMinutes(1)).check();
        }
    }

    @AfterAll
    static void down() {
        try {
            LAB.down();
        } finally {
            pools.forEach(ZfsFusePool::close);
        }
    }

    private static LabHost h(int i) {
        return hosts.get(i - 1);
    }

    @Test
    @Order(1)
    void aCounterMovesToH2_withEveryAcknowledgedWrite_andItsAddress() throws Exception {
        h(1).docker().check("volume", "create", "-d", "berth/zfs", VOLUME);
        h(1).docker().check("run", "-d", "--name", "counter", "--network", NET, "--restart", "always", "-v",
                VOLUME + ":/data", "berth/testbox", "sh", "-c", COUNTER);
        h(1).docker().check("run", "-d", "--name", "probe", "--network", NET, "berth/testbox", "sleep", "3600");
        String ip = ip(h(1), "counter");
        String mac = mac(h(1), "counter");
        Prober prober = new Prober(h(1), "probe", ip);
        prober.start();
        Thread.sleep(2_000);
        long l0 = lines(h(1));
        Thread.sleep(2_000);
        long l1 = lines(h(1));
        double rate = (l1 - l0) / 2.0;
        System.out.printf("the counter writes %.0f fsynced lines/s on h1's volume%n", rate);

        AgentClient agent = client(h(1));
        MigrationStatus plan = finish(agent, agent.start("counter", hostId(h(2)), true, false));
        System.out.println("dry run: " + plan.plan());
        assertEquals("planned", plan.state(), plan.toString());
        assertEquals("running", h(1).docker().check("inspect", "-f", "{{.State.Status}}", "counter"));

        long maxBefore = prober.maxValue();
        MigrationStatus st = finish(agent, agent.start("counter", hostId(h(2)), false, false));
        System.out.println("migration: " + st);
        assertEquals("done", st.state(), st.toString());
        dump(h(2), "counter", VOLUME);
        try {
            await("h1's prober reads the counter from h2", Duration.ofSeconds(30),
                    () -> prober.lastOkAfter(System.currentTimeMillis() - 500));
        } catch (AssertionError e) {
            System.out.println("probe neighbours: " + h(1).docker().command("exec", "probe", "ip", "neigh").run()
                    .stdout() + "\ncounter on h2: " + h(2).docker().command("exec", "counter", "sh", "-c",
                    "ip addr; netstat -ltn; tail -n 2 /data/log").run().stdout() + h(2).docker().command("logs",
                    "--tail", "5", "counter").run().stderr());
            throw e;
        }

        Thread.sleep(1_000);
        prober.stop();

        assertEquals(ip, ip(h(2), "counter"), "the same address on h2");
        assertEquals(mac, mac(h(2), "counter"), "the same MAC on h2");
        assertEquals("running", h(2).docker().check("inspect", "-f", "{{.State.Status}}", "counter"));
        assertFalse(h(1).docker().command("inspect", "counter").run().ok(), "no copy left on h1");
        String log = h(2).docker().check("exec", "counter", "cat", "/data/log");
        List<Long> values = log.lines().map(String::strip).filter(s -> !s.isEmpty()).map(Long::parseLong).toList();
        for (int i = 0; i < values.size(); i++) {
            assertEquals(i + 1, values.get(i), "line " + (i + 1) + " of the log on h2 (no lost, no repeated write)");
        }
        assertTrue(values.size() >= maxBefore, "the log holds every value the prober read before: " + maxBefore);
        System.out.printf("moved: downtime %d ms (agent: stop on h1 -> start on h2), the prober saw no answer for"
                + " %d ms; total %d ms; rounds %s; %d lines on h2, %d read by the prober before%n",
                st.downtimeMs(), prober.longestGapMs(), st.totalMs(), st.rounds(), values.size(), maxBefore);
        assertTrue(rate >= 100, "the counter wrote " + rate + " fsynced lines/s (< 100)");
    }

    @Test
    @Order(2)
    void theTargetAgentKilledDuringThePreCopy_leavesTheContainerWhereItWas_andARetrySucceeds() throws Exception {
        // a second container with about 200 MB on its volume: the full round takes long enough to be cut
        h(1).docker().check("volume", "create", "-d", "berth/zfs", "bulkdata");
        h(1).docker().check("run", "-d", "--name", "bulk", "--network", NET, "-v", "bulkdata:/data",
                "berth/testbox", "sh", "-c", "[ -s /data/bulk.md5 ] || { dd if=/dev/urandom of=/data/bulk bs=1M "
                        + "count=200 2>/dev/null; md5sum /data/bulk > /data/bulk.tmp; mv /data/bulk.tmp "
                        + "/data/bulk.md5; }; trap 'exit 0' TERM; while true; do sleep 1; done");
        await("the bulk data is written", Duration.ofSeconds(120), () -> h(1).docker().command("exec", "bulk",
                "test", "-s", "/data/bulk.md5").run().ok());
        String md5 = h(1).docker().check("exec", "bulk", "cat", "/data/bulk.md5");
        AgentClient agent = client(h(1));
        String id = agent.start("bulk", hostId(h(2)), false, false);
        await("the pre-copy is sending", Duration.ofSeconds(60), () -> {
            MigrationStatus s = agent.status(id);
            return s.roundBytes() != null && s.roundBytes() > (20L << 20) || s.finished();
        });
        h(2).docker().check("kill", "berth-migrate");
        MigrationStatus failed = finish(agent, id);
        System.out.println("cut migration: " + failed);
        assertEquals("failed", failed.state(), failed.toString());
        assertEquals("running", h(1).docker().check("inspect", "-f", "{{.State.Status}}", "bulk"),
                "still running on h1");
        assertFalse(h(2).docker().command("inspect", "bulk").run().ok(), "nothing started on h2");

        h(2).docker().check("start", "berth-migrate");
        await("h2's agent answers again", Duration.ofSeconds(60), () -> {
            try {
                client(h(2)).describe();
                return true;
            } catch (MigrationException e) {
                return false;
            }
        });
        MigrationStatus retry = finish(agent, agent.start("bulk", hostId(h(2)), false, false));
        System.out.println("retried migration: " + retry);
        assertEquals("done", retry.state(), retry.toString());
        assertEquals("running", h(2).docker().check("inspect", "-f", "{{.State.Status}}", "bulk"));
        dump(h(2), "bulk", "bulkdata");
        assertEquals(md5, h(2).docker().check("exec", "bulk", "cat", "/data/bulk.md5"));
        assertEquals(md5.split("\\s+")[0], h(2).docker().check("exec", "bulk", "md5sum", "/data/bulk")
                .split("\\s+")[0], "the data arrived whole");
    }

    // ---- helpers

    /** What the volume's dataset and mounts look like, for the log. */
    private static void dump(LabHost h, String container, String volume) {
        String pool = pools.get(h.index() - 1).name();
        String ds = pool + "/berth/" + volume;
        long dockerd = h.processes("dockerd").stream().findFirst().orElseThrow();
        System.out.println("---- " + h.name() + " " + ds);
        System.out.println(Command.of("zfs", "get", "-H", "mounted,mountpoint,canmount,berth:managed", ds).run()
                .stdout());
        System.out.println("root ns: " + Command.of("sh", "-c", "grep " + volume + " /proc/self/mountinfo").run()
                .stdout());
        System.out.println("host ns: " + Command.of("nsenter", "-t", Long.toString(dockerd), "-m", "sh", "-c",
                "grep " + volume + " /proc/self/mountinfo").run().stdout());
        System.out.println("mounts: " + h.docker().command("inspect", "-f", "{{json .Mounts}}", container).run()
                .stdout());
        System.out.println("ls: " + h.docker().command("exec", container, "ls", "-la", "/data").run().stdout());
        System.out.println("zfs log: " + h.docker().command("logs", "--tail", "20", "berth-zfs").run().stdout()
                + h.docker().command("logs", "--tail", "20", "berth-zfs").run().stderr());
    }

    private static AgentClient client(LabHost h) {
        return new AgentClient(h.stateDir().resolve("migrate/agent.sock"));
    }

    private static String hostId(LabHost h) throws Exception {
        return Files.readString(h.stateDir().resolve("host-id")).strip();
    }

    private static MigrationStatus finish(AgentClient agent, String id) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
        MigrationStatus s = agent.status(id);
        while (!s.finished()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("migration " + id + " did not finish: " + s);
            }
            Thread.sleep(200);
            s = agent.status(id);
        }
        return s;
    }

    private static long lines(LabHost h) {
        return Long.parseLong(h.docker().check("exec", "counter", "sh", "-c", "wc -l < /data/log").strip());
    }

    private static String mac(LabHost h, String container) {
        return h.docker().check("inspect", "--format", "{{.NetworkSettings.Networks." + NET + ".MacAddress}}",
                container);
    }

    private static String ip(LabHost h, String container) {
        return h.docker().check("inspect", "--format", "{{.NetworkSettings.Networks." + NET + ".IPAddress}}",
                container);
    }

    /** Reads the counter's value over the network from a container's namespace, 20 times a second. */
    private static final class Prober {
        private record Sample(long at, long value) {
        }

        private final String pid;
        private final String ip;
        private final List<Sample> samples = new CopyOnWriteArrayList<>();
        private volatile boolean stopped;
        private Thread thread;

        Prober(LabHost h, String container, String ip) {
            this.pid = h.docker().check("inspect", "-f", "{{.State.Pid}}", container);
            this.ip = ip;
        }

        void start() {
            thread = new Thread(() -> {
                while (!stopped) {
                    CommandResult r = Command.of("nsenter", "-t", pid, "-n", "busybox", "nc", "-w", "1", ip, "8080")
                            .timeout(Duration.ofSeconds(3)).run();
                    String out = r.stdout().strip();
                    if (out.matches("\\d+")) {
                        samples.add(new Sample(System.currentTimeMillis(), Long.parseLong(out)));
                    }
                    try {
                        Thread.sleep(50);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "prober");
            thread.setDaemon(true);
            thread.start();
        }

        void stop() throws InterruptedException {
            stopped = true;
            thread.join(5_000);
        }

        long maxValue() {
            return samples.stream().mapToLong(Sample::value).max().orElse(0);
        }

        boolean lastOkAfter(long millis) {
            return !samples.isEmpty() && samples.get(samples.size() - 1).at() >= millis;
        }

        long longestGapMs() {
            long gap = 0;
            for (int i = 1; i < samples.size(); i++) {
                gap = Math.max(gap, samples.get(i).at() - samples.get(i - 1).at());
            }
            return gap;
        }
    }

    private static void await(String what, Duration limit, java.util.function.BooleanSupplier condition)
            throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + limit.toSeconds() + " s: " + what);
            }
            Thread.sleep(200);
        }
    }
}
