package dev.berth.bench;

import dev.berth.bench.overlay.Convergence;
import dev.berth.bench.overlay.Endpoint;
import dev.berth.bench.overlay.LinkWatch;
import dev.berth.bench.overlay.PluginCalls;
import dev.berth.bench.overlay.Rtt;
import dev.berth.bench.overlay.Stats;
import dev.berth.bench.overlay.Throughput;
import dev.berth.exec.CommandResult;
import dev.berth.lab.Lab;
import dev.berth.lab.LabHost;
import dev.berth.lab.LabSpec;
import dev.berth.lab.TestImage;
import dev.berth.packaging.Bundle;
import dev.berth.packaging.BundleBuilder;
import dev.berth.packaging.ModuleBundles;
import dev.berth.packaging.PluginInstaller;
import dev.berth.packaging.RuntimeImage;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.DoublePredicate;
import java.util.function.ToDoubleFunction;

/**
 * berth/overlay against Docker's built-in overlay (the anchor), side by side in one lab run: two hosts whose dockerd
 * use the lab's etcd as Docker's classic cluster store (the built-in overlay needs it outside swarm), with berth/ipam
 * and berth/overlay installed on the same etcd. Networks: {@code bnet} (berth/overlay + berth/ipam, 10.88.0.0/24,
 * created on each host) and {@code dnet} (built-in {@code overlay}, attachable, 10.89.0.0/24, created once on h1 and
 * shared through the cluster store). Every figure alternates the two networks, berth first:
 * <ol>
 * <li>TCP throughput, a container on h1 to a container on h2: the host's iperf3 in their network namespaces, 5 s,
 *     median of {@code runs} rounds;</li>
 * <li>ping RTT p50: {@code ping -c 200 -i 0.01} between the same containers, {@code runs} rounds, all replies
 *     pooled;</li>
 * <li>{@code docker run --rm --network NET berth/testbox true} on h2, median of max(10, 4 x runs), with the time
 *     the Berth plugins spent in each call, from h2's dockerd log;</li>
 * <li>convergence: {@code docker run -d} on h1 returning, to the first ping reply on h2 (see {@link Convergence}),
 *     4 x runs runs per network in each of two ARP modes, p50 and p99; and the propagation alone: the first reply on
 *     h2 minus the moment the container's interface came up on h1. Each run has a fresh address, the same host
 *     number on both networks.</li>
 * </ol>
 * Run as root from the repository root, after {@code mvn -q -o install -DskipTests -pl bench,net-overlay,net-ipam -am}
 * (bench does not depend on the two plugins: their bundles are built here from {@code net-overlay/target/classes},
 * {@code net-overlay/target/plugin/lib} and {@code net-ipam/target/plugin}):
 * {@code java -cp "bench/target/bench-0.1.0-SNAPSHOT.jar:bench/target/lib/*" dev.berth.bench.OverlayBench [runs]}
 * (default 5, at most 18). Needs iperf3 and iputils-ping on the machine. About 4 minutes at the default on a quiet
 * machine; the lab is torn down at the end, also on failure.
 */
public final class OverlayBench {
    private static final Path HOME = Path.of(System.getProperty("berth.home",
            System.getenv().getOrDefault("BERTH_HOME", "."))).toAbsolutePath();
    private static final int IPERF_SECONDS = 5;
    private static final int PINGS = 200;

    /** One network under test: its /24 is {@code prefix}0/24. */
    private record Net(String label, String name, String prefix) {
    }

    private static final Net BERTH = new Net("berth/overlay", "bnet", "10.88.0.");
    private static final Net BUILTIN = new Net("built-in overlay", "dnet", "10.89.0.");
    private static final List<Net> NETS = List.of(BERTH, BUILTIN);

    private OverlayBench() {
    }

    public static void main(String[] args) {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        if (runs < 1 || runs > 18) {
            throw new IllegalArgumentException("usage: OverlayBench [runs], 1 to 18 (default 5): convergence takes "
                    + "8 x runs fresh addresses of a /24");
        }
        int dockerRuns = Math.max(10, 4 * runs);
        int convergenceRuns = 4 * runs;
        Lab lab = Lab.standard().reporting(m -> System.err.println("lab: " + m));
        Bundle overlay = ModuleBundles.build(HOME.resolve("net-overlay"), "net-overlay",
                HOME.resolve("target/bench-overlay"));
        Bundle ipam = new BundleBuilder(RuntimeImage.fromBuildJdk()).buildFromInput(
                HOME.resolve("net-ipam/target/plugin"), HOME.resolve("target/bench-overlay-ipam"));
        try {
            List<LabHost> hosts = lab.up(new LabSpec(2, true).withClusterStore(), (h, kv) -> {
                PluginInstaller installer = new PluginInstaller(h.docker());
                installer.ensure(ipam, Map.of("BERTH_KV", kv.orElseThrow(),
                        "docker-socket.source", h.dockerSocket().toString()));
                installer.ensure(overlay, Map.of("BERTH_KV", kv.orElseThrow()));
            });
            LabHost h1 = hosts.get(0);
            LabHost h2 = hosts.get(1);
            List<String> notes = new ArrayList<>();
            createNetworks(hosts, notes);

            Map<Net, Endpoint> servers = new LinkedHashMap<>();
            Map<Net, Endpoint> clients = new LinkedHashMap<>();
            for (Net n : NETS) {
                servers.put(n, Endpoint.start(h1, "srv-" + n.name(), n.name()));
                clients.put(n, Endpoint.start(h2, "cli-" + n.name(), n.name()));
                clients.get(n).awaitReachable(servers.get(n).ip(), Duration.ofSeconds(60));
            }

            Map<Net, List<Double>> gbits = samples();
            Map<Net, List<Long>> retransmits = new LinkedHashMap<>();
            for (int r = 0; r < runs; r++) {
                for (Net n : NETS) {
                    Throughput.Result t = Throughput.measure(servers.get(n), clients.get(n), IPERF_SECONDS);
                    gbits.get(n).add(t.gbits());
                    retransmits.computeIfAbsent(n, k -> new ArrayList<>()).add(t.retransmits());
                    progress("throughput round %d %s: %.2f Gbit/s (%d retransmits)", r + 1, n.label(), t.gbits(),
                            t.retransmits());
                }
            }

            Map<Net, List<Double>> rtts = samples();
            for (int r = 0; r < runs; r++) {
                for (Net n : NETS) {
                    List<Double> round = Rtt.measure(clients.get(n), servers.get(n).ip(), PINGS);
                    rtts.get(n).addAll(round);
                    progress("ping round %d %s: p50 %.3f ms", r + 1, n.label(), Stats.median(round));
                }
            }

            Map<Convergence.Arp, Map<Net, List<Convergence.Sample>>> convergence =
                    convergence(h1, servers, clients, convergenceRuns);

            Map<Net, List<Double>> runSeconds = samples();
            PluginCalls calls = PluginCalls.from(lab.dockerLog(h2));
            for (int r = 0; r < dockerRuns; r++) {
                for (Net n : NETS) {
                    CommandResult c = h2.docker().command("run", "--rm", "--network", n.name(), TestImage.NAME, "true")
                            .timeout(Duration.ofMinutes(2)).check();
                    runSeconds.get(n).add(c.took().toNanos() / 1e9);
                    progress("docker run --rm %d %s: %.3f s", r + 1, n.label(), c.took().toNanos() / 1e9);
                }
            }
            Map<String, double[]> pluginTime = calls.since();

            printTable(runs, dockerRuns, convergenceRuns, gbits, rtts, runSeconds, convergence);
            printDetails(gbits, retransmits, rtts, runSeconds, convergence, pluginTime, dockerRuns, notes);
        } finally {
            lab.down();
        }
    }

    /**
     * 4 x runs convergence runs per network in each mode, alternating the networks, each run with a fresh host number
     * (the same on both networks).
     */
    private static Map<Convergence.Arp, Map<Net, List<Convergence.Sample>>> convergence(
            LabHost h1, Map<Net, Endpoint> servers, Map<Net, Endpoint> clients, int convergenceRuns) {
        Map<Convergence.Arp, Map<Net, List<Convergence.Sample>>> convergence = new LinkedHashMap<>();
        for (Net n : NETS) {
            Convergence.prepare(clients.get(n));
        }
        Map<Net, Convergence.Target> targets = new LinkedHashMap<>();
        targets.put(BERTH, new Convergence.Target(h1, BERTH.name(), LinkWatch.labHost(h1), "vx"));
        targets.put(BUILTIN, new Convergence.Target(h1, BUILTIN.name(),
                LinkWatch.dockerOverlay(h1, BUILTIN.name()), "br0"));
        List<Integer> fresh = freshHostNumbers(servers, clients);
        if (fresh.size() < Convergence.Arp.values().length * convergenceRuns) {
            throw new IllegalArgumentException(convergenceRuns + " convergence runs per mode need more fresh "
                    + "addresses than the /24s have (" + fresh.size() + ")");
        }
        int next = 0;
        for (Convergence.Arp mode : Convergence.Arp.values()) {
            Map<Net, List<Convergence.Sample>> byNet = new LinkedHashMap<>();
            NETS.forEach(n -> byNet.put(n, new ArrayList<>()));
            convergence.put(mode, byNet);
            for (int r = 0; r < convergenceRuns; r++) {
                int host = fresh.get(next++);
                for (Net n : NETS) {
                    Convergence.Sample s = Convergence.once(targets.get(n), n.prefix() + host, clients.get(n), mode);
                    byNet.get(n).add(s);
                    progress("convergence (%s) run %d %s %s: %.1f ms after docker run -d returned, %.1f ms after it "
                            + "started (it took %.0f ms), %.1f ms after its interface came up on h1", mode.label,
                            r + 1, n.label(), n.prefix() + host, s.millis(), s.fromStartMillis(), s.runMillis(),
                            s.afterUpMillis());
                }
            }
        }
        return convergence;
    }

    /**
     * bnet on each host (berth/overlay is local-scope, one command per host); dnet once on h1, attachable so that
     * plain {@code docker run} may use it outside swarm, then awaited on h2 (it reaches h2 through the cluster store).
     */
    private static void createNetworks(List<LabHost> hosts, List<String> notes) {
        for (LabHost h : hosts) {
            h.docker().command("network", "create", "-d", "berth/overlay:latest", "--ipam-driver", "berth/ipam:latest",
                    "--ipam-opt", "berth.scope=global", "--subnet", "10.88.0.0/24", BERTH.name())
                    .timeout(Duration.ofMinutes(1)).check();
        }
        LabHost h1 = hosts.get(0);
        CommandResult r = h1.docker().command("network", "create", "-d", "overlay", "--attachable", "--subnet",
                "10.89.0.0/24", BUILTIN.name()).timeout(Duration.ofMinutes(1)).run();
        if (!r.ok()) {
            notes.add("`docker network create -d overlay --attachable` was refused (" + r.stderr().strip()
                    + "); dnet was made without --attachable");
            h1.docker().command("network", "create", "-d", "overlay", "--subnet", "10.89.0.0/24", BUILTIN.name())
                    .timeout(Duration.ofMinutes(1)).check();
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        for (LabHost h : hosts.subList(1, hosts.size())) {
            while (!h.docker().command("network", "inspect", BUILTIN.name()).run().ok()) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("network " + BUILTIN.name() + " never reached " + h.name()
                            + " through the cluster store");
                }
                sleep(200);
            }
        }
    }

    private static void printTable(int runs, int dockerRuns, int convergenceRuns, Map<Net, List<Double>> gbits,
                                   Map<Net, List<Double>> rtts, Map<Net, List<Double>> runSeconds,
                                   Map<Convergence.Arp, Map<Net, List<Convergence.Sample>>> convergence) {
        List<String[]> rows = new ArrayList<>();
        rows.add(ratioRow("TCP throughput h1 -> h2, median of " + runs + " (Gbit/s)", "%.2f",
                Stats.median(gbits.get(BERTH)), Stats.median(gbits.get(BUILTIN)), ">= 0.97", r -> r >= 0.97));
        rows.add(ratioRow("ping RTT p50, " + runs + " x " + PINGS + " pings (ms)", "%.3f",
                Stats.median(rtts.get(BERTH)), Stats.median(rtts.get(BUILTIN)), "<= 1.05", r -> r <= 1.05));
        rows.add(ratioRow("`docker run --rm ... true` on h2, median of " + dockerRuns + " (s)", "%.3f",
                Stats.median(runSeconds.get(BERTH)), Stats.median(runSeconds.get(BUILTIN)), "<= 1.0", r -> r <= 1.0));
        convergence.forEach((mode, byNet) -> {
            List<Double> b = millis(byNet.get(BERTH), Convergence.Sample::millis);
            List<Double> d = millis(byNet.get(BUILTIN), Convergence.Sample::millis);
            String what = "convergence (`docker run -d` on h1 returned -> first reply on h2), " + mode.label + ", "
                    + convergenceRuns + " runs (ms)";
            rows.add(convergenceRow(what.replace("convergence", "convergence p50"), Stats.percentile(b, 50),
                    Stats.percentile(d, 50), "report"));
            double p99 = Stats.percentile(b, 99);
            rows.add(convergenceRow(what.replace("convergence", "convergence p99"), p99, Stats.percentile(d, 99),
                    "berth <= 50 ms: " + (p99 <= 50 ? "met" : "NOT met")));
            List<Double> bp = millis(byNet.get(BERTH), Convergence.Sample::afterUpMillis);
            List<Double> dp = millis(byNet.get(BUILTIN), Convergence.Sample::afterUpMillis);
            String prop = "propagation (container's interface up on h1 -> first reply on h2), " + mode.label + " (ms)";
            rows.add(convergenceRow(prop.replace("propagation", "propagation p50"), Stats.percentile(bp, 50),
                    Stats.percentile(dp, 50), "report"));
            rows.add(convergenceRow(prop.replace("propagation", "propagation p99"), Stats.percentile(bp, 99),
                    Stats.percentile(dp, 99), "report"));
        });
        System.out.println();
        System.out.println("| figure | berth/overlay | built-in overlay | ratio | target |");
        System.out.println("|---|---|---|---|---|");
        for (String[] r : rows) {
            System.out.println("| " + String.join(" | ", r) + " |");
        }
    }

    private static void printDetails(Map<Net, List<Double>> gbits, Map<Net, List<Long>> retransmits,
                                     Map<Net, List<Double>> rtts, Map<Net, List<Double>> runSeconds,
                                     Map<Convergence.Arp, Map<Net, List<Convergence.Sample>>> convergence,
                                     Map<String, double[]> pluginTime, int dockerRuns, List<String> notes) {
        System.out.println();
        for (Net n : NETS) {
            System.out.println(n.label() + ":");
            System.out.println("  throughput per round (Gbit/s): " + fmt("%.2f", gbits.get(n)) + "; retransmits "
                    + retransmits.get(n));
            System.out.println(String.format(Locale.ROOT,
                    "  ping RTT: p50 %.3f ms, p90 %.3f ms, p99 %.3f ms (%d replies)",
                    Stats.percentile(rtts.get(n), 50), Stats.percentile(rtts.get(n), 90),
                    Stats.percentile(rtts.get(n), 99), rtts.get(n).size()));
            System.out.println("  docker run --rm (s), sorted: " + fmt("%.3f", Stats.sorted(runSeconds.get(n))));
            convergence.forEach((mode, byNet) -> {
                List<Convergence.Sample> s = byNet.get(n);
                System.out.println("  " + mode.label + ", sorted (ms):");
                System.out.println("    after `docker run -d` returned: "
                        + fmt("%.1f", Stats.sorted(millis(s, Convergence.Sample::millis))));
                System.out.println("    after `docker run -d` started:  "
                        + fmt("%.1f", Stats.sorted(millis(s, Convergence.Sample::fromStartMillis))));
                System.out.println("    after its interface came up:    "
                        + fmt("%.1f", Stats.sorted(millis(s, Convergence.Sample::afterUpMillis))));
                System.out.println("    `docker run -d` took:           "
                        + fmt("%.0f", Stats.sorted(millis(s, Convergence.Sample::runMillis))));
            });
        }
        System.out.println("Berth plugin time per `docker run --rm` on h2 (from its dockerd log, " + dockerRuns
                + " runs):");
        double total = 0;
        for (Map.Entry<String, double[]> e : pluginTime.entrySet()) {
            double[] v = e.getValue();
            total += v[1];
            System.out.println(String.format(Locale.ROOT, "  %-30s %3.0f calls, %6.1f ms per run", e.getKey(), v[0],
                    v[1] / dockerRuns));
        }
        System.out.println(String.format(Locale.ROOT, "  %-30s %6.1f ms per run", "all calls", total / dockerRuns));
        long negative = convergence.values().stream().flatMap(m -> m.values().stream()).flatMap(List::stream)
                .filter(s -> s.millis() < 0).count();
        if (negative > 0) {
            notes.add(negative + " convergence sample(s) are negative: the first reply came before `docker run -d` "
                    + "returned (recorded as is)");
        }
        notes.forEach(n -> System.out.println("note: " + n));
    }

    private static String[] ratioRow(String figure, String format, double berth, double builtin, String target,
                                     DoublePredicate met) {
        double ratio = berth / builtin;
        return new String[] {figure, String.format(Locale.ROOT, format, berth),
            String.format(Locale.ROOT, format, builtin), String.format(Locale.ROOT, "%.3f", ratio),
            target + ": " + (met.test(ratio) ? "met" : "NOT met")};
    }

    private static String[] convergenceRow(String figure, double berth, double builtin, String target) {
        String ratio = berth > 0 && builtin > 0 ? String.format(Locale.ROOT, "%.2f", berth / builtin) : "-";
        return new String[] {figure, String.format(Locale.ROOT, "%.1f", berth),
            String.format(Locale.ROOT, "%.1f", builtin), ratio, target};
    }

    /**
     * Host numbers for convergence runs, 100 to 250, without any the bench's long-running containers hold on either
     * network (so the same number is free on both). Docker's classic overlay must never see an address twice: see
     * {@link Convergence}.
     */
    private static List<Integer> freshHostNumbers(Map<Net, Endpoint> servers, Map<Net, Endpoint> clients) {
        List<Integer> taken = new ArrayList<>();
        for (Map<Net, Endpoint> m : List.of(servers, clients)) {
            m.values().forEach(e -> taken.add(Integer.parseInt(e.ip().substring(e.ip().lastIndexOf('.') + 1))));
        }
        List<Integer> fresh = new ArrayList<>();
        for (int h = 100; h <= 250; h++) {
            if (!taken.contains(h)) {
                fresh.add(h);
            }
        }
        return fresh;
    }

    private static List<Double> millis(List<Convergence.Sample> samples, ToDoubleFunction<Convergence.Sample> f) {
        return samples.stream().map(s -> f.applyAsDouble(s)).toList();
    }

    private static Map<Net, List<Double>> samples() {
        Map<Net, List<Double>> m = new LinkedHashMap<>();
        NETS.forEach(n -> m.put(n, new ArrayList<>()));
        return m;
    }

    private static String fmt(String format, List<Double> values) {
        return values.stream().map(v -> String.format(Locale.ROOT, format, v)).toList().toString();
    }

    private static void progress(String format, Object... args) {
        System.err.println("bench: " + String.format(Locale.ROOT, format, args));
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
