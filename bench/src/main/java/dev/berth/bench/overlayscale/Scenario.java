package dev.berth.bench.overlayscale;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The measured run, through the drivers' sockets only: the network on every host; the burst of CreateEndpoint + Join
 * on every host at once, timed to full convergence (every host's FDB has every remote endpoint); a check that each
 * host has exactly the right FDB and neighbour entries; then Leave + DeleteEndpoint of everything, convergence to
 * empty, DeleteNetwork everywhere, and a check that no overlay device is left.
 */
public final class Scenario {
    static final Duration POLL = Duration.ofMillis(50);

    private final List<SimHost> hosts;
    private final Plan plan;
    private final int threadsPerHost;
    private final Transport.Connector connector;
    private final FdbWatch fdb;
    private final FdbEvents events;
    private final EtcdMetrics etcd;
    private final Duration timeout;
    private final Latencies latencies = new Latencies();
    private final Latencies teardownLatencies = new Latencies();

    public Scenario(List<SimHost> hosts, Plan plan, int threadsPerHost, Transport.Connector connector, FdbWatch fdb,
                    FdbEvents events, EtcdMetrics etcd, Duration timeout) {
        this.hosts = hosts;
        this.plan = plan;
        this.threadsPerHost = threadsPerHost;
        this.connector = connector;
        this.fdb = fdb;
        this.events = events;
        this.etcd = etcd;
        this.timeout = timeout;
    }

    public Report.Results run() throws InterruptedException {
        Report.Results r = new Report.Results(plan.hosts, plan.perHost, threadsPerHost);
        Optional<Map<String, Double>> m0 = etcd.read();
        CountingKvStore.Counts cluster0 = clusterCounts();
        long t = System.nanoTime();
        run(perHost(h -> List.of(c -> c.createNetwork(plan.networkId(h.index), Plan.SUBNET, Plan.GATEWAY))), 1,
                "create-network");
        r.networkCreateMs = ms(System.nanoTime() - t);
        r.networkCreateCluster = clusterCounts().minus(cluster0);
        r.vxlan = fdb.locateVxlan();
        burst(r);
        verify(r);
        r.peakRssMiB = Report.peakRssMiB();
        System.gc();
        r.heapAfterGcMiB = java.lang.management.ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed()
                / 1048576.0;
        r.peakThreads = java.lang.management.ManagementFactory.getThreadMXBean().getPeakThreadCount();
        teardown(r);
        r.runSeconds = (System.nanoTime() - t) / 1e9;
        r.runKeepAlives = EtcdMetrics.delta(m0, etcd.read(), EtcdMetrics.KEEPALIVES);
        return r;
    }

    private void burst(Report.Results r) throws InterruptedException {
        CountingKvStore.Counts cluster0 = clusterCounts();
        CountingKvStore.Counts local0 = localCounts();
        NeighTable neigh0 = NeighTable.read();
        Optional<Map<String, Double>> m0 = etcd.read();
        Burst b = Burst.start(perHost(h -> endpointCalls(h.index)), threadsPerHost, connector, "burst");
        FdbWatch.Convergence c = fdb.await(events, h -> plan.remotePerHost(), b.started(), POLL, timeout, b::failed);
        long last = b.await();
        Optional<Map<String, Double>> m1 = etcd.read();
        r.neighTable = NeighTable.read().minus(neigh0);
        r.burstCallsMs = ms(last - b.started());
        r.converged = c.complete();
        r.convergedFromStartMs = ms(c.lastNanos());
        r.convergedFromLastCallMs = ms(b.started() + c.lastNanos() - last);
        r.dumps = c.dumps();
        r.dumpMs = c.meanDumpMs();
        r.firstHostConvergedMs = ms(firstHost(c));
        r.windowSeconds = (System.nanoTime() - b.started()) / 1e9;
        r.burstCluster = clusterCounts().minus(cluster0);
        r.burstLocal = localCounts().minus(local0);
        r.burstKeepAlives = EtcdMetrics.delta(m0, m1, EtcdMetrics.KEEPALIVES);
        r.burstRevisions = EtcdMetrics.delta(m0, m1, EtcdMetrics.REVISION);
        r.latencies = latencies.summaries();
        if (!c.complete()) {
            int[] got = new int[plan.hosts + 1];
            for (int i = 1; i <= plan.hosts; i++) {
                got[i] = fdb.fdb(i).size();
            }
            r.notes.add("NOT converged within " + timeout.toSeconds() + " s: FDB entries per host "
                    + java.util.Arrays.toString(java.util.Arrays.copyOfRange(got, 1, got.length)));
        }
    }

    private List<Consumer<DriverClient>> endpointCalls(int host) {
        List<Consumer<DriverClient>> calls = new ArrayList<>();
        String net = plan.networkId(host);
        for (Plan.Endpoint e : plan.on(host)) {
            calls.add(c -> {
                String mac = latencies.time("CreateEndpoint", () -> c.createEndpoint(net, e.id(), e.ipv4() + "/16"));
                plan.macIs(e, mac);
                latencies.time("Join", () -> c.join(net, e.id(), Plan.sandboxKey(e)));
            });
        }
        return calls;
    }

    /** Every host has exactly every remote endpoint: MAC behind its host's VTEP, and its address at its MAC. */
    private void verify(Report.Results r) {
        for (SimHost h : hosts) {
            Map<String, String> wantFdb = new HashMap<>();
            Map<String, String> wantArp = new HashMap<>();
            for (Plan.Endpoint e : plan.endpoints()) {
                if (e.host() != h.index) {
                    wantFdb.put(plan.mac(e), hosts.get(e.host() - 1).vtep);
                    wantArp.put(e.ipv4(), plan.mac(e));
                }
            }
            r.fdbMismatches += mismatches(wantFdb, fdb.fdb(h.index));
            r.arpMismatches += mismatches(wantArp, fdb.arp(h.index));
        }
    }

    private static int mismatches(Map<String, String> want, Map<String, String> got) {
        int bad = 0;
        for (Map.Entry<String, String> w : want.entrySet()) {
            bad += w.getValue().equals(got.get(w.getKey())) ? 0 : 1;
        }
        for (String k : got.keySet()) {
            bad += want.containsKey(k) ? 0 : 1;
        }
        return bad;
    }

    private void teardown(Report.Results r) throws InterruptedException {
        CountingKvStore.Counts cluster0 = clusterCounts();
        Burst b = Burst.start(perHost(h -> {
            List<Consumer<DriverClient>> calls = new ArrayList<>();
            for (Plan.Endpoint e : plan.on(h.index)) {
                calls.add(c -> {
                    teardownLatencies.time("Leave", () -> c.leave(plan.networkId(h.index), e.id()));
                    teardownLatencies.time("DeleteEndpoint", () -> c.deleteEndpoint(plan.networkId(h.index), e.id()));
                });
            }
            return calls;
        }), threadsPerHost, connector, "teardown");
        FdbWatch.Convergence c = fdb.await(events, h -> 0, b.started(), POLL, timeout, b::failed);
        long last = b.await();
        r.deleteCallsMs = ms(last - b.started());
        r.emptiedFromStartMs = ms(c.lastNanos());
        r.emptied = c.complete();
        r.teardownCluster = clusterCounts().minus(cluster0);
        CountingKvStore.Counts cluster1 = clusterCounts();
        long t = System.nanoTime();
        run(perHost(h -> List.of(cl -> cl.deleteNetwork(plan.networkId(h.index)))), 1, "delete-network");
        r.networkDeleteMs = ms(System.nanoTime() - t);
        for (SimHost h : hosts) {
            List<String> left = fdb.overlayDevices(h.index);
            r.devicesLeft += left.size();
            if (!left.isEmpty() && r.notes.size() < 5) {
                r.notes.add(SimUnderlay.namespace(h.index) + " still has " + left);
            }
        }
        r.teardownMs = ms(System.nanoTime() - b.started());
        r.networkDeleteCluster = clusterCounts().minus(cluster1);
        r.teardownLatencies = teardownLatencies.summaries();
        r.recordsLeft = 0;
        for (String prefix : List.of("overlay/endpoints/", "overlay/networks/", "overlay/vnis/")) {
            r.recordsLeft += hosts.get(0).cluster.list(prefix).entries().size(); // presence keys stay: hosts live on
        }
    }

    private List<Burst.Work> perHost(java.util.function.Function<SimHost, List<Consumer<DriverClient>>> calls) {
        return hosts.stream().map(h -> new Burst.Work(h.socket, calls.apply(h))).toList();
    }

    private void run(List<Burst.Work> work, int threads, String name) throws InterruptedException {
        Burst.start(work, threads, connector, name).await();
    }

    private CountingKvStore.Counts clusterCounts() {
        return hosts.stream().map(h -> h.cluster.counts()).reduce(CountingKvStore.Counts.zero(),
                CountingKvStore.Counts::plus);
    }

    private CountingKvStore.Counts localCounts() {
        return hosts.stream().map(h -> h.local.counts()).reduce(CountingKvStore.Counts.zero(),
                CountingKvStore.Counts::plus);
    }

    private static long firstHost(FdbWatch.Convergence c) {
        long min = Long.MAX_VALUE;
        for (int i = 1; i < c.atNanos().length; i++) {
            if (c.atNanos()[i] >= 0) {
                min = Math.min(min, c.atNanos()[i]);
            }
        }
        return min == Long.MAX_VALUE ? -1 : min;
    }

    static double ms(long nanos) {
        return nanos / 1e6;
    }
}
