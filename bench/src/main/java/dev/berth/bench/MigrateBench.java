package dev.berth.bench;

import dev.berth.bench.overlay.Stats;
import dev.berth.lab.LabHost;
import dev.berth.migrate.agent.AgentClient;
import dev.berth.migrate.agent.MigrationStatus;
import dev.berth.migrate.lab.MigrationLab;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Issue 10's benchmark: a container with a 1 GiB berth/zfs volume and about 10 MB/s of ongoing writes moved from h1
 * to h2 by {@code berth migrate} (pre-copy), against a cold move ({@code berth migrate --cold}: stop, send
 * everything, start) of the same setup, alternating, in the same lab run (two lab hosts, etcd, zfs-fuse pools,
 * berth/zfs, berth/overlay, the agents). Figures: downtime (the source's stop to the target's start), total time,
 * bytes sent against the data plus what was written during the migration.
 *
 * <p>Run as root from the repository root: {@code ./berth bench migrate [runs] [gib]} (defaults 2 and 1).
 */
public final class MigrateBench {
    private static final Path HOME = Path.of(System.getProperty("berth.home",
            System.getenv().getOrDefault("BERTH_HOME", "."))).toAbsolutePath();
    /** About 10 MB/s: 1 MiB of random data every 100 ms, over a 200 MiB region; the count kept outside the volume. */
    private static final String WRITER = "trap 'exit 0' TERM; [ -s /data/base.done ] || { dd if=/dev/urandom "
            + "of=/data/base bs=1M count=%d 2>/dev/null; touch /data/base.done; }; i=0; while true; do "
            + "dd if=/dev/urandom of=/data/hot bs=1M count=1 seek=$((i %% 200)) conv=notrunc 2>/dev/null; "
            + "i=$((i+1)); echo $i > /tmp/n; usleep 100000; done";

    private MigrateBench() {
    }

    private record Run(String mode, MigrationStatus status, long dataBytes, double writeRate) {
        double writtenDuring() {
            return writeRate * status.totalMs() / 1000.0;
        }

        double sentRatio() {
            return status.bytesSent() / (dataBytes + writtenDuring());
        }
    }

    public static void main(String[] args) throws Exception {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 2;
        int gib = args.length > 1 ? Integer.parseInt(args[1]) : 1;
        // every run leaves its volume on both hosts (a lab host cannot destroy the source's copy: vol-migrate/README)
        int poolMiB = (gib * 1024 + 600) * (runs * 2) * 2 + 2048;
        List<Run> results = new ArrayList<>();
        try (MigrationLab lab = MigrationLab.up(HOME, HOME.resolve("target/bench-migrate"), 2, poolMiB, Map.of())) {
            LabHost h1 = lab.h(1);
            LabHost h2 = lab.h(2);
            AgentClient agent = lab.client(h1);
            for (int r = 0; r < runs; r++) {
                for (String mode : List.of("pre-copy", "cold")) {
                    String name = "mb" + r + mode.charAt(0);
                    h1.docker().check("volume", "create", "-d", "berth/zfs", name);
                    h1.docker().check("run", "-d", "--name", name, "--network", MigrationLab.NET, "-v", name
                            + ":/data", "berth/testbox", "sh", "-c", String.format(Locale.ROOT, WRITER, gib * 1024));
                    MigrationLab.await(name + ": " + gib + " GiB written", Duration.ofMinutes(10), () -> h1.docker()
                            .command("exec", name, "test", "-e", "/data/base.done").run().ok());
                    Thread.sleep(1_000);
                    long n0 = count(h1, name);
                    long t0 = System.nanoTime();
                    Thread.sleep(5_000);
                    double rate = (count(h1, name) - n0) * 1048576.0 / ((System.nanoTime() - t0) / 1e9);
                    long data = Long.parseLong(dev.berth.exec.Command.of("zfs", "get", "-H", "-p", "-o", "value",
                            "referenced", lab.pool(h1).name() + "/berth/" + name).check().stdout().strip());
                    progress("%s run %d: %s, %.1f GiB referenced, writing %.1f MB/s", mode, r + 1, name,
                            data / 1073741824.0, rate / 1e6);
                    String id = agent.start(name, lab.hostId(h2), false, false, mode.equals("cold"));
                    MigrationStatus st = MigrationLab.finish(agent, id, Duration.ofMinutes(20));
                    if (!st.state().equals("done")) {
                        throw new IllegalStateException(mode + " run " + (r + 1) + " failed: " + st);
                    }
                    Run run = new Run(mode, st, data, rate);
                    results.add(run);
                    progress("%s run %d: down %d ms, total %d ms, %.0f MiB sent (%.2f x data + writes), rounds %s",
                            mode, r + 1, st.downtimeMs(), st.totalMs(), st.bytesSent() / 1048576.0, run.sentRatio(),
                            st.rounds());
                    h2.docker().command("rm", "-f", name).run();
                }
            }
        }
        List<Run> pre = results.stream().filter(r -> r.mode().equals("pre-copy")).toList();
        List<Run> cold = results.stream().filter(r -> r.mode().equals("cold")).toList();
        double preDown = Stats.median(pre.stream().map(r -> (double) r.status().downtimeMs()).toList());
        double coldDown = Stats.median(cold.stream().map(r -> (double) r.status().downtimeMs()).toList());
        double preTotal = Stats.median(pre.stream().map(r -> (double) r.status().totalMs()).toList());
        double coldTotal = Stats.median(cold.stream().map(r -> (double) r.status().totalMs()).toList());
        double preSent = Stats.median(pre.stream().map(Run::sentRatio).toList());
        double coldSent = Stats.median(cold.stream().map(Run::sentRatio).toList());
        System.out.println();
        System.out.printf(Locale.ROOT, "| figure (%d GiB volume, ~10 MB/s of writes, median of %d) | pre-copy | cold "
                + "move | pre-copy / cold | target |%n", gib, runs);
        System.out.println("|---|---|---|---|---|");
        System.out.printf(Locale.ROOT, "| downtime: stop on h1 -> start on h2 (ms) | %.0f | %.0f | %.3f | <= 2 s: %s"
                + " |%n", preDown, coldDown, preDown / coldDown, preDown <= 2000 ? "met" : "NOT met");
        System.out.printf(Locale.ROOT, "| total time (ms) | %.0f | %.0f | %.3f | report |%n", preTotal, coldTotal,
                preTotal / coldTotal);
        System.out.printf(Locale.ROOT, "| bytes sent / (data + writes during the migration) | %.3f | %.3f | - | "
                + "<= 1.2: %s |%n", preSent, coldSent, preSent <= 1.2 ? "met" : "NOT met");
        System.out.println();
        for (Run r : results) {
            System.out.printf(Locale.ROOT, "%s: down %d ms, total %d ms, sent %d bytes, data %d bytes, writes %.1f MB/s,"
                    + " rounds (bytes/ms) %s%n", r.mode(), r.status().downtimeMs(), r.status().totalMs(),
                    r.status().bytesSent(), r.dataBytes(), r.writeRate() / 1e6, r.status().rounds());
        }
    }

    private static long count(LabHost h, String container) {
        String out = h.docker().command("exec", container, "cat", "/tmp/n").run().stdout().strip();
        return out.isEmpty() ? 0 : Long.parseLong(out);
    }

    private static void progress(String format, Object... args) {
        System.err.println("bench: " + String.format(Locale.ROOT, format, args));
    }
}
