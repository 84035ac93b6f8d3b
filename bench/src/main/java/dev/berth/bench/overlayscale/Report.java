package dev.berth.bench.overlayscale;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The figures of one run, and their table in the style of BENCHMARKS.md. */
public final class Report {
    private Report() {
    }

    /** Filled in by {@link Scenario} as the run goes. */
    public static final class Results {
        public final int hosts;
        public final int perHost;
        public final int threadsPerHost;
        public String vxlan;
        public String store = "";
        public double setupMs;
        public double networkCreateMs;
        public double burstCallsMs;
        public boolean converged;
        public double convergedFromStartMs;
        public double convergedFromLastCallMs;
        public double firstHostConvergedMs;
        public int dumps;
        public double dumpMs;
        public double runSeconds;
        public double runKeepAlives = Double.NaN;
        public double windowSeconds;
        public Map<String, Latencies.Summary> latencies = Map.of();
        public CountingKvStore.Counts burstCluster = CountingKvStore.Counts.zero();
        public CountingKvStore.Counts burstLocal = CountingKvStore.Counts.zero();
        public double burstKeepAlives = Double.NaN;
        public double burstRevisions = Double.NaN;
        public int fdbMismatches;
        public int arpMismatches;
        public double peakRssMiB;
        public double heapAfterGcMiB;
        public int peakThreads;
        public NeighTable neighTable = new NeighTable(-1, -1, -1);
        public double deleteCallsMs;
        public boolean emptied;
        public double emptiedFromStartMs;
        public double networkDeleteMs;
        public double teardownMs;
        public int devicesLeft;
        public int recordsLeft = -1;
        public CountingKvStore.Counts teardownCluster = CountingKvStore.Counts.zero();
        public CountingKvStore.Counts networkCreateCluster = CountingKvStore.Counts.zero();
        public CountingKvStore.Counts networkDeleteCluster = CountingKvStore.Counts.zero();
        public Map<String, Latencies.Summary> teardownLatencies = Map.of();
        public final List<String> notes = new ArrayList<>();

        Results(int hosts, int perHost, int threadsPerHost) {
            this.hosts = hosts;
            this.perHost = perHost;
            this.threadsPerHost = threadsPerHost;
        }

        int total() {
            return hosts * perHost;
        }
    }

    public static void print(Results r, PrintStream out) {
        int n = r.total();
        out.printf("## berth/overlay scale simulation (%s)%n%n", LocalDate.now());
        out.printf(Locale.ROOT, "%d simulated hosts (netns, one driver + plugin socket each, one JVM) x %d endpoints = "
                        + "%,d endpoints on one network (VXLAN %s); %d client threads per host; cluster store %s.%n%n",
                r.hosts, r.perHost, n, r.vxlan, r.threadsPerHost, r.store);
        out.println("| what | figure |");
        out.println("|---|---|");
        row(out, "set-up (namespaces, etcd, drivers)", secs(r.setupMs));
        row(out, "CreateNetwork on every host (in parallel)", secs(r.networkCreateMs));
        row(out, "cluster store writes for CreateNetwork, all hosts", String.format(Locale.ROOT, "%d (%s)",
                r.networkCreateCluster.writes(), kinds(r.networkCreateCluster, true)));
        row(out, "burst: CreateEndpoint + Join for every endpoint", secs(r.burstCallsMs) + String.format(Locale.ROOT,
                " (%.0f endpoints/s)", n / (r.burstCallsMs / 1000)));
        row(out, "full convergence, from the burst's start", r.converged ? secs(r.convergedFromStartMs) : "NOT REACHED");
        row(out, "full convergence, after the last call returned", !r.converged ? "-"
                : r.convergedFromLastCallMs >= 0 ? secs(r.convergedFromLastCallMs)
                : String.format(Locale.ROOT, "0 s (converged %.0f ms before the last Join returned)",
                        -r.convergedFromLastCallMs));
        row(out, "first host converged, from the burst's start", secs(r.firstHostConvergedMs));
        row(out, "FDB dumps to confirm convergence", String.format(Locale.ROOT, "%d, %.1f ms each", r.dumps,
                r.dumpMs));
        r.latencies.forEach((m, s) -> row(out, m + " latency", latency(s)));
        row(out, "cluster store writes per endpoint", String.format(Locale.ROOT, "%.2f (%s)",
                r.burstCluster.writes() / (double) n, kinds(r.burstCluster, true)));
        row(out, "cluster store reads per endpoint", String.format(Locale.ROOT, "%.2f (%s)",
                r.burstCluster.reads() / (double) n, kinds(r.burstCluster, false)));
        row(out, "etcd revisions per endpoint (server side)", String.format(Locale.ROOT, "%.2f",
                r.burstRevisions / n));
        row(out, "local store writes per endpoint", String.format(Locale.ROOT, "%.2f",
                r.burstLocal.writes() / (double) n));
        row(out, "lease keep-alives (etcd's count; not writes)", String.format(Locale.ROOT,
                "%.0f during the burst (%.1f s); %.0f in the whole run (%.1f s) = %.2f/s per host", r.burstKeepAlives,
                r.windowSeconds, r.runKeepAlives, r.runSeconds, r.runKeepAlives / r.runSeconds / r.hosts));
        row(out, "entries checked after convergence", String.format(Locale.ROOT,
                "%,d FDB + %,d neighbour; %d FDB and %d neighbour mismatches", (long) r.hosts * (n - r.perHost),
                (long) r.hosts * (n - r.perHost), r.fdbMismatches, r.arpMismatches));
        row(out, "kernel IPv4 neighbour table at convergence (all namespaces)", String.format(Locale.ROOT,
                "%,d entries, gc_thresh1/2/3 %s; during the burst %d forced GC runs, %d table-full refusals",
                r.neighTable.entries(), NeighTable.thresholds(), r.neighTable.forcedGcRuns(),
                r.neighTable.tableFulls()));
        row(out, "peak RSS of the JVM (VmHWM)", String.format(Locale.ROOT,
                "%.0f MiB (max heap %.0f MiB; %.0f MiB live after a full GC at convergence; %d threads at peak)",
                r.peakRssMiB, Runtime.getRuntime().maxMemory() / 1048576.0, r.heapAfterGcMiB, r.peakThreads));
        row(out, "teardown: Leave + DeleteEndpoint for every endpoint", secs(r.deleteCallsMs));
        row(out, "teardown: every FDB empty, from its start", r.emptied ? secs(r.emptiedFromStartMs) : "NOT REACHED");
        r.teardownLatencies.forEach((m, s) -> row(out, m + " latency", latency(s)));
        row(out, "teardown: DeleteNetwork on every host", secs(r.networkDeleteMs));
        row(out, "teardown: total, to no overlay device left", secs(r.teardownMs) + ", " + r.devicesLeft
                + " devices and " + r.recordsLeft + " endpoint/network/VNI records left");
        row(out, "cluster store writes per endpoint removed", String.format(Locale.ROOT, "%.2f (%s)",
                r.teardownCluster.writes() / (double) n, kinds(r.teardownCluster, true)));
        row(out, "cluster store writes for DeleteNetwork, all hosts", String.format(Locale.ROOT, "%d (%s)",
                r.networkDeleteCluster.writes(), kinds(r.networkDeleteCluster, true)));
        for (String note : r.notes) {
            out.println();
            out.println("Note: " + note);
        }
    }

    private static void row(PrintStream out, String what, String figure) {
        out.println("| " + what + " | " + figure + " |");
    }

    private static String secs(double ms) {
        return String.format(Locale.ROOT, "%.2f s", ms / 1000);
    }

    private static String latency(Latencies.Summary s) {
        return String.format(Locale.ROOT, "p50 %.1f ms, p99 %.1f ms, max %.1f ms (%,d calls)", s.p50ms(), s.p99ms(),
                s.maxMs(), s.count());
    }

    private static String kinds(CountingKvStore.Counts c, boolean writes) {
        List<String> parts = new ArrayList<>();
        for (CountingKvStore.Kind k : CountingKvStore.Kind.values()) {
            boolean wanted = writes ? k.write : k == CountingKvStore.Kind.GET || k == CountingKvStore.Kind.LIST;
            if (wanted && c.get(k) > 0) {
                parts.add(k.name().toLowerCase(Locale.ROOT).replace('_', '-') + " " + c.get(k));
            }
        }
        return parts.isEmpty() ? "none" : String.join(", ", parts);
    }

    /** The most this process has had resident (VmHWM), in MiB. */
    public static double peakRssMiB() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Double.parseDouble(line.replaceAll("[^0-9]", "")) / 1024;
                }
            }
        } catch (IOException e) {
            return Double.NaN;
        }
        return Double.NaN;
    }
}
