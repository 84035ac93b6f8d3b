package dev.berth.migrate.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.exec.Command;
import dev.berth.exec.CommandResult;
import dev.berth.lab.LabHost;
import dev.berth.migrate.MigrationException;
import dev.berth.migrate.agent.AgentClient;
import dev.berth.migrate.agent.MigrationStatus;
import java.nio.file.Path;
import java.time.Duration;
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
    private static final String NET = MigrationLab.NET;
    private static final String VOLUME = "counterdata";
    /** Appends n+1 with an fsync per write, and serves the last value on port 8080. */
    private static final String COUNTER = "trap 'exit 0' TERM; touch /data/log; i=$(tail -n 1 /data/log); i=${i:-0}; "
            + "(while true; do tail -n 1 /data/log | nc -l -p 8080 >/dev/null 2>&1; done) & "
            + "while true; do i=$((i+1)); echo $i | dd of=/data/log oflag=append conv=notrunc,fsync 2>/dev/null; done";
    private static MigrationLab lab;

    @BeforeAll
    static void up() {
        lab = MigrationLab.up(Path.of("..").toAbsolutePath().normalize(), Path.of("target/e2e").toAbsolutePath(), 2,
                768, Map.of("BERTH_MIGRATE_STALL_SECONDS", "8"));
    }

    @AfterAll
    static void down() {
        if (lab != null) {
            lab.close();
        }
    }

    private static LabHost h(int i) {
        return lab.h(i);
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

    @Test
    @Order(3)
    void aLinkCutDuringThePreCopy_failsTheMigration_theContainerKeepsRunning_andARetrySucceeds() throws Exception {
        h(1).docker().check("volume", "create", "-d", "berth/zfs", "linkdata");
        h(1).docker().check("run", "-d", "--name", "linked", "--network", NET, "-v", "linkdata:/data",
                "berth/testbox", "sh", "-c", "[ -s /data/f.md5 ] || { dd if=/dev/urandom of=/data/f bs=1M "
                        + "count=150 2>/dev/null; md5sum /data/f > /data/f.tmp; mv /data/f.tmp /data/f.md5; }; "
                        + "trap 'exit 0' TERM; while true; do sleep 1; done");
        await("the data is written", Duration.ofSeconds(120), () -> h(1).docker().command("exec", "linked",
                "test", "-s", "/data/f.md5").run().ok());
        String md5 = h(1).docker().check("exec", "linked", "cat", "/data/f.md5").split("\\s+")[0];
        AgentClient agent = client(h(1));
        String id = agent.start("linked", hostId(h(2)), false, false);
        await("the pre-copy is sending", Duration.ofSeconds(60), () -> {
            MigrationStatus s = agent.status(id);
            return s.roundBytes() != null && s.roundBytes() > (20L << 20) || s.finished();
        });
        long cut = System.nanoTime();
        h(2).inNetns("ip", "link", "set", "eth0", "down").check();
        MigrationStatus failed;
        try {
            failed = finish(agent, id);
        } finally {
            h(2).inNetns("ip", "link", "set", "eth0", "up").check();
        }
        System.out.printf("link cut: the migration failed %.1f s after the cut: %s%n", (System.nanoTime() - cut)
                / 1e9, failed);
        assertEquals("failed", failed.state(), failed.toString());
        assertEquals("running", h(1).docker().check("inspect", "-f", "{{.State.Status}}", "linked"));
        assertFalse(h(2).docker().command("inspect", "linked").run().ok(), "nothing started on h2");
        MigrationStatus retry = null;
        for (int attempt = 0; attempt < 10; attempt++) {
            try {
                retry = finish(agent, agent.start("linked", hostId(h(2)), false, false));
                if (retry.state().equals("done")) {
                    break;
                }
                System.out.println("retry " + attempt + ": " + retry);
            } catch (MigrationException e) {
                System.out.println("retry " + attempt + ": " + e.getMessage());
            }
            Thread.sleep(2_000); // the store and the agents' records come back with the link

        }
        System.out.println("retried after the link came back: " + retry);
        assertEquals("done", retry.state(), String.valueOf(retry));
        assertEquals(md5, h(2).docker().check("exec", "linked", "md5sum", "/data/f").split("\\s+")[0]);
    }

    @Test
    @Order(4)
    void theSourceAgentKilledAfterTheStop_runsTheContainerHereAgainWhenItRestarts() throws Exception {
        // no volume (a lab host cannot mount a zfs-fuse dataset again after unmounting it: README), and a command
        // that ignores SIGTERM, so that the stop lasts the container's 10 s stop timeout
        h(1).docker().check("run", "-d", "--name", "stubborn", "--network", NET, "--restart", "always",
                "berth/testbox", "sh", "-c", "while true; do sleep 1; done");
        AgentClient agent = client(h(1));
        String id = agent.start("stubborn", hostId(h(2)), false, false);
        await("the source is stopping the container", Duration.ofSeconds(60),
                () -> List.of("stopping", "final").contains(agent.status(id).state()));
        h(1).docker().check("kill", "berth-migrate");
        h(1).docker().check("start", "berth-migrate");
        await("the restarted agent runs the container on h1 again", Duration.ofSeconds(90), () -> "running true"
                .equals(h(1).docker().command("inspect", "-f", "{{.State.Status}} {{.State.Running}}", "stubborn")
                        .run().stdout().strip()) && h(1).docker().command("inspect", "-f",
                "{{.HostConfig.RestartPolicy.Name}}", "stubborn").run().stdout().strip().equals("always"));
        assertFalse(h(2).docker().command("inspect", "stubborn").run().ok(), "never started on h2");
        System.out.println("the source agent killed mid-stop: the container runs on h1 again, restart policy always");
    }

    // ---- helpers

    /** What the volume's dataset and mounts look like, for the log. */
    private static void dump(LabHost h, String container, String volume) {
        String pool = lab.pool(h).name();
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
        return lab.client(h);
    }

    private static String hostId(LabHost h) {
        return lab.hostId(h);
    }

    private static MigrationStatus finish(AgentClient agent, String id) throws Exception {
        return MigrationLab.finish(agent, id, Duration.ofMinutes(5));
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

    private static void await(String what, Duration limit, java.util.function.BooleanSupplier condition) {
        MigrationLab.await(what, limit, condition);
    }
}
