package dev.berth.bench;

import dev.berth.bench.overlayscale.EtcdMetrics;
import dev.berth.bench.overlayscale.FdbEvents;
import dev.berth.bench.overlayscale.FdbWatch;
import dev.berth.bench.overlayscale.Plan;
import dev.berth.bench.overlayscale.Report;
import dev.berth.bench.overlayscale.Scenario;
import dev.berth.bench.overlayscale.SimHost;
import dev.berth.bench.overlayscale.SimUnderlay;
import dev.berth.bench.overlayscale.Transport;
import dev.berth.exec.Command;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * {@code OverlayScaleBench [hosts=50] [endpointsPerHost=100] [etcd-url]}: the berth/overlay control plane at scale,
 * with no dockerd. Each simulated host is a network namespace ({@code berth-sim-<i>}, on a bridge in the namespace
 * {@code berth-sim-underlay}) with its own OverlayDriver in this JVM: its own netlink handle, embedded local store,
 * host ID, lease and client of one shared etcd, served by a PluginHost on its own unix socket. A client speaking
 * Docker's remote NetworkDriver protocol creates one network on every host, then CreateEndpoint + Join for every
 * endpoint in a burst; the run measures the time until every host's VXLAN FDB holds every remote endpoint (from the
 * kernel's FDB notifications, each host's count confirmed by a netlink dump, then every entry checked), call
 * latencies, store writes per endpoint (counted around each driver's store) and lease keep-alives (etcd's metrics),
 * peak RSS, then removes everything through the protocol and times that too.
 *
 * <p>Needs root. Starts its own single-member etcd on loopback unless given {@code etcd://host:port}. Namespaces
 * {@code berth-sim-*} left by an earlier run are removed first and every one is removed at the end. System
 * properties: {@code berth.bench.clients} (client threads per host, 2), {@code berth.bench.timeoutSeconds} (600),
 * {@code berth.bench.log} (the drivers' log level, WARN).
 */
public final class OverlayScaleBench {
    private OverlayScaleBench() {
    }

    public static void main(String[] args) throws Exception {
        int hosts = args.length > 0 ? Integer.parseInt(args[0]) : 50;
        int perHost = args.length > 1 ? Integer.parseInt(args[1]) : 100;
        String givenUrl = args.length > 2 ? args[2] : null;
        int clients = Integer.getInteger("berth.bench.clients", 2);
        Duration timeout = Duration.ofSeconds(Integer.getInteger("berth.bench.timeoutSeconds", 600));
        String level = System.getProperty("berth.bench.log", "WARN");
        System.setProperty("dev.berth.LEVEL", level);
        System.setProperty("org.eclipse.jetty.LEVEL", "WARN");
        if (!"root".equals(System.getProperty("user.name"))) {
            System.err.println("the simulation creates network namespaces: run as root");
            System.exit(2);
        }
        Plan plan = new Plan(hosts, perHost);
        Path root = Files.createTempDirectory("berth-overlay-scale");
        List<AutoCloseable> closing = new ArrayList<>();
        closing.add(() -> Command.of("rm", "-rf", root.toString()).run());
        Thread cleanup = new Thread(() -> closeAll(closing), "berth-overlay-scale-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanup);
        try {
            long t0 = System.nanoTime();
            String endpoints = givenUrl != null ? members(givenUrl) : BenchServers.etcd(root.resolve("etcd"), 1,
                    closing);
            String url = "etcd://" + endpoints + "/overlay-scale-" + System.currentTimeMillis();
            System.err.printf("cluster store %s; building %d namespaces ...%n", url, hosts);
            closing.add(SimUnderlay.create(hosts));
            FdbEvents events = new FdbEvents(hosts);
            closing.add(events);
            System.err.printf("starting %d drivers ...%n", hosts);
            List<SimHost> sims = java.util.Collections.synchronizedList(new ArrayList<>());
            closing.add(() -> closeInParallel(sims)); // each may wait up to a call timeout for the store
            for (int i = 1; i <= hosts; i++) {
                sims.add(SimHost.start(i, root.resolve("h" + i), url));
            }
            FdbWatch fdb = new FdbWatch(hosts);
            closing.add(fdb);
            double setupMs = (System.nanoTime() - t0) / 1e6;
            System.err.printf("burst: %,d endpoints, %d client threads per host ...%n", plan.total(), clients);
            Report.Results r = new Scenario(sims, plan, clients, OverlayScaleBench::connect, fdb,
                    events, new EtcdMetrics(endpoints.split(",")[0]), timeout).run();
            r.setupMs = setupMs;
            r.store = givenUrl != null ? givenUrl : "etcd 3.4, 1 member on loopback";
            for (SimHost h : sims) {
                if (h.leasesReplaced() > 0) {
                    r.notes.add("host " + h.index + ": its lease ended and was replaced " + h.leasesReplaced()
                            + " times");
                }
            }
            Report.print(r, System.out);
        } finally {
            closeAll(closing);
            try {
                Runtime.getRuntime().removeShutdownHook(cleanup);
            } catch (IllegalStateException stopping) {
                // the JVM is already stopping (a signal): the hook does the same, once
            }
        }
    }

    /** Closes in reverse order of opening, once (from the end of main or the shutdown hook). */
    private static void closeAll(List<AutoCloseable> closing) {
        synchronized (closing) {
            Collections.reverse(closing);
            for (AutoCloseable c : closing) {
                try {
                    c.close();
                } catch (Exception e) {
                    System.err.println("cleaning up: " + e);
                }
            }
            closing.clear();
        }
    }

    /** Closes every host at once: with the store gone, each waits a call timeout to revoke its lease. */
    private static void closeInParallel(List<SimHost> sims) throws InterruptedException {
        List<Thread> threads = new ArrayList<>();
        synchronized (sims) {
            for (SimHost h : sims) {
                Thread t = new Thread(h::close, "close-sim-" + h.index);
                t.start();
                threads.add(t);
            }
        }
        for (Thread t : threads) {
            t.join();
        }
    }

    /** host:port,host:port of an {@code etcd://} URL. */
    private static String members(String url) {
        if (!url.startsWith("etcd://")) {
            throw new IllegalArgumentException("the cluster store must be an etcd:// URL, not " + url);
        }
        String rest = url.substring("etcd://".length());
        return rest.contains("/") ? rest.substring(0, rest.indexOf('/')) : rest;
    }

    /** The protocol client's connections are the benchmarks' own minimal HTTP/1.1 client. */
    private static Transport connect(Path socket) {
        SocketClient c = new SocketClient(socket);
        return new Transport() {
            @Override
            public Reply post(String path, String json) {
                SocketClient.Reply r = c.post(path, json);
                return new Reply(r.status(), r.body());
            }

            @Override
            public void close() {
                c.close();
            }
        };
    }
}
