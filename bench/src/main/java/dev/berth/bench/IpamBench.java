package dev.berth.bench;

import dev.berth.exec.Command;
import dev.berth.packaging.JvmOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code ./berth bench ipam [seconds] [threads] [all|single|cluster|memory]}: allocations and releases per second through the berth/ipam plugin
 * socket, as Docker calls it (one keep-alive connection per client thread, JSON over HTTP on the unix socket).
 * <ol>
 * <li>One host, the embedded store (the default of {@code berth up}): allocate for a while, release everything, then
 *     allocate+release pairs. Target: >= 5,000 allocations/s.</li>
 * <li>Three hosts (three plugin processes with their own host IDs) sharing one real etcd, allocating from one shared
 *     pool at the same time. Target: >= 500 allocations/s per host, zero duplicates across hosts.</li>
 * <li>Memory of a /8 pool: the plugin's RSS and live heap before the pool, with the pool, and with 100,000 addresses
 *     taken.</li>
 * </ol>
 * The plugin runs as its own process with the JVM options of the packaged plugin ({@link JvmOptions#DEFAULT}).
 * Each rate is the median of three rounds.
 */
public final class IpamBench {
    private static final int ROUNDS = 3;
    private static final Path HOME = Path.of(System.getProperty("berth.home", ".")).toAbsolutePath();

    private IpamBench() {
    }

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 4;
        int threads = args.length > 1 ? Integer.parseInt(args[1]) : 16;
        String only = args.length > 2 ? args[2] : "all";
        Path root = Files.createTempDirectory("berth-ipam-bench");
        List<AutoCloseable> closing = new ArrayList<>();
        try {
            System.out.printf("berth/ipam through its socket: %d client threads per host, %d s per round, median of %d%n",
                    threads, seconds, ROUNDS);
            if (only.equals("all") || only.equals("single")) {
                singleHost(root.resolve("single"), seconds, threads, closing);
            }
            if (only.equals("all") || only.equals("cluster")) {
                cluster(root.resolve("cluster"), seconds, threads, closing);
            }
            if (only.equals("all") || only.equals("memory")) {
                slashEight(root.resolve("memory"), closing);
            }
        } finally {
            Collections.reverse(closing);
            for (AutoCloseable c : closing) {
                c.close();
            }
            Command.of("rm", "-rf", root.toString()).run();
        }
    }

    private static void singleHost(Path dir, int seconds, int threads, List<AutoCloseable> closing) throws Exception {
        Plugin p = Plugin.start(dir, "", closing);
        String pool = poolId(p, "10.0.0.0/8");
        List<Double> alloc = new ArrayList<>();
        List<Double> rel = new ArrayList<>();
        List<Double> cycle = new ArrayList<>();
        for (int r = 0; r < ROUNDS; r++) {
            ConcurrentLinkedQueue<String> got = new ConcurrentLinkedQueue<>();
            alloc.add(allocate(List.of(p), pool, threads, seconds, got).perHost.get(0));
            rel.add(release(p, pool, threads, new ArrayList<>(got)));
            cycle.add(cycles(p, pool, threads, seconds));
        }
        System.out.printf("one host, embedded store: allocations/s %s | releases/s %s | allocate+release pairs/s %s%n",
                median(alloc), median(rel), median(cycle));
    }

    private static void cluster(Path dir, int seconds, int threads, List<AutoCloseable> closing) throws Exception {
        String etcd = BenchServers.etcd(dir.resolve("etcd"), 1, closing);
        String kv = "etcd://" + etcd + "/ipam-bench";
        List<Plugin> hosts = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            hosts.add(Plugin.start(dir.resolve("h" + i), kv, closing));
        }
        String pool = null;
        for (Plugin h : hosts) {
            pool = poolId(h, "10.0.0.0/8");
        }
        List<List<Double>> perHost = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        long duplicates = 0;
        long total = 0;
        for (int r = 0; r < ROUNDS; r++) {
            ConcurrentLinkedQueue<String> got = new ConcurrentLinkedQueue<>();
            Result res = allocate(hosts, pool, threads, seconds, got);
            for (int i = 0; i < 3; i++) {
                perHost.get(i).add(res.perHost.get(i));
            }
            Set<String> distinct = new HashSet<>(got);
            duplicates += got.size() - distinct.size();
            total += got.size();
            for (Plugin h : hosts) {
                List<String> mine = res.byHost.get(hosts.indexOf(h));
                release(h, pool, threads, mine);
            }
        }
        System.out.printf("three hosts, one etcd, one shared pool: allocations/s per host %s %s %s; "
                        + "%d addresses handed out, %d duplicates%n", median(perHost.get(0)), median(perHost.get(1)),
                median(perHost.get(2)), total, duplicates);
    }

    private static void slashEight(Path dir, List<AutoCloseable> closing) throws Exception {
        Plugin p = Plugin.start(dir, "", closing);
        p.call("/IpamDriver.GetCapabilities", "{}");
        Memory idle = p.memory();
        String pool = poolId(p, "10.0.0.0/8");
        Memory withPool = p.memory();
        ConcurrentLinkedQueue<String> got = new ConcurrentLinkedQueue<>();
        while (got.size() < 100_000) {
            allocate(List.of(p), pool, 8, 1, got);
        }
        Memory full = p.memory();
        System.out.printf("memory of a /8 pool: idle plugin RSS %.1f MiB, heap %.1f MiB | with the pool RSS %.1f MiB, "
                        + "heap %.1f MiB | with %,d addresses taken RSS %.1f MiB, heap %.1f MiB%n",
                idle.rssMiB, idle.heapMiB, withPool.rssMiB, withPool.heapMiB, got.size(), full.rssMiB, full.heapMiB);
    }

    private record Result(List<Double> perHost, List<List<String>> byHost) {
    }

    private static Result allocate(List<Plugin> hosts, String pool, int threads, int seconds,
                                   ConcurrentLinkedQueue<String> all) throws InterruptedException {
        List<AtomicLong> counts = new ArrayList<>();
        List<List<String>> byHost = new ArrayList<>();
        List<Thread> workers = new ArrayList<>();
        CountDownLatch ready = new CountDownLatch(hosts.size() * threads);
        CountDownLatch go = new CountDownLatch(1);
        long[] window = new long[1];
        for (Plugin h : hosts) {
            AtomicLong count = new AtomicLong();
            counts.add(count);
            List<String> mine = Collections.synchronizedList(new ArrayList<>());
            byHost.add(mine);
            for (int t = 0; t < threads; t++) {
                workers.add(spawn(() -> {
                    try (SocketClient c = new SocketClient(h.socket)) {
                        String req = "{\"PoolID\":\"" + pool + "\",\"Address\":\"\",\"Options\":{}}";
                        ready.countDown();
                        go.await();
                        long end = window[0];
                        while (System.nanoTime() < end) {
                            SocketClient.Reply r = c.post("/IpamDriver.RequestAddress", req);
                            if (r.status() != 200) {
                                throw new IllegalStateException("RequestAddress: " + r.status() + " " + r.body());
                            }
                            String a = address(r.body());
                            all.add(a);
                            mine.add(a);
                            count.incrementAndGet();
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }));
            }
        }
        ready.await();
        long start = System.nanoTime();
        window[0] = start + seconds * 1_000_000_000L;
        go.countDown();
        for (Thread w : workers) {
            w.join();
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        return new Result(counts.stream().map(c -> c.get() / elapsed).toList(), byHost);
    }

    private static double release(Plugin p, String pool, int threads, List<String> addresses)
            throws InterruptedException {
        ConcurrentLinkedQueue<String> todo = new ConcurrentLinkedQueue<>(addresses);
        List<Thread> workers = new ArrayList<>();
        long start = System.nanoTime();
        for (int t = 0; t < threads; t++) {
            workers.add(spawn(() -> {
                try (SocketClient c = new SocketClient(p.socket)) {
                    for (String a = todo.poll(); a != null; a = todo.poll()) {
                        SocketClient.Reply r = c.post("/IpamDriver.ReleaseAddress",
                                "{\"PoolID\":\"" + pool + "\",\"Address\":\"" + a + "\"}");
                        if (r.status() != 200) {
                            throw new IllegalStateException("ReleaseAddress: " + r.status() + " " + r.body());
                        }
                    }
                }
            }));
        }
        for (Thread w : workers) {
            w.join();
        }
        return addresses.size() / ((System.nanoTime() - start) / 1e9);
    }

    private static double cycles(Plugin p, String pool, int threads, int seconds) throws InterruptedException {
        AtomicLong pairs = new AtomicLong();
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        long start = System.nanoTime();
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            workers.add(spawn(() -> {
                try (SocketClient c = new SocketClient(p.socket)) {
                    String req = "{\"PoolID\":\"" + pool + "\",\"Address\":\"\",\"Options\":{}}";
                    while (System.nanoTime() < end) {
                        String a = address(c.post("/IpamDriver.RequestAddress", req).body());
                        c.post("/IpamDriver.ReleaseAddress", "{\"PoolID\":\"" + pool + "\",\"Address\":\"" + a + "\"}");
                        pairs.incrementAndGet();
                    }
                }
            }));
        }
        for (Thread w : workers) {
            w.join();
        }
        return pairs.get() / ((System.nanoTime() - start) / 1e9);
    }

    private static Thread spawn(Runnable r) {
        Thread t = new Thread(r, "ipam-bench-client");
        t.start();
        return t;
    }

    private static String poolId(Plugin p, String cidr) {
        String body = p.call("/IpamDriver.RequestPool", "{\"AddressSpace\":\"BerthGlobal\",\"Pool\":\"" + cidr
                + "\",\"SubPool\":\"\",\"Options\":{},\"V6\":false}");
        Matcher m = Pattern.compile("\"PoolID\":\"([^\"]+)\"").matcher(body);
        if (!m.find()) {
            throw new IllegalStateException("RequestPool: " + body);
        }
        return m.group(1);
    }

    private static String address(String body) {
        int i = body.indexOf("\"Address\":\"") + 11;
        return body.substring(i, body.indexOf('/', i));
    }

    private static String median(List<Double> values) {
        List<Double> s = new ArrayList<>(values);
        Collections.sort(s);
        return String.format(Locale.ROOT, "%,.0f", s.get(s.size() / 2));
    }

    private record Memory(double rssMiB, double heapMiB) {
    }

    /** One berth/ipam plugin process with its own socket, host ID and local store. */
    private static final class Plugin {
        final Path socket;
        final Process process;

        private Plugin(Path socket, Process process) {
            this.socket = socket;
            this.process = process;
        }

        static Plugin start(Path dir, String kv, List<AutoCloseable> closing) throws IOException {
            Files.createDirectories(dir);
            Path socket = dir.resolve("ipam.sock");
            List<String> argv = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                    .toString()));
            argv.addAll(JvmOptions.DEFAULT);
            String extra = System.getProperty("berth.bench.pluginJvm", "");
            if (!extra.isBlank()) {
                argv.addAll(List.of(extra.trim().split("\\s+")));
            }
            argv.addAll(List.of("-cp", HOME.resolve("net-ipam/target/plugin/lib") + "/*",
                    "dev.berth.ipam.IpamPlugin"));
            ProcessBuilder pb = new ProcessBuilder(argv).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("plugin.log").toFile());
            pb.environment().put("BERTH_SOCKET", socket.toString());
            pb.environment().put("BERTH_KV", kv);
            pb.environment().put("BERTH_IPAM_LOCAL_STORE", "embedded://" + dir.resolve("kv"));
            pb.environment().put("BERTH_HOST_ID_FILE", dir.resolve("host-id").toString());
            pb.environment().put("BERTH_DOCKER_SOCKET", "");
            pb.environment().put("BERTH_MAX_THREADS", "64");
            for (String e : JvmOptions.ENVIRONMENT) {
                pb.environment().put(e.substring(0, e.indexOf('=')), e.substring(e.indexOf('=') + 1));
            }
            Process process = pb.start();
            closing.add(() -> {
                process.destroy();
                process.waitFor();
            });
            long deadline = System.nanoTime() + 20_000_000_000L;
            while (!Files.exists(socket)) {
                if (System.nanoTime() > deadline || !process.isAlive()) {
                    throw new IllegalStateException("the plugin did not start: see " + dir.resolve("plugin.log"));
                }
                sleep(20);
            }
            return new Plugin(socket, process);
        }

        String call(String path, String json) {
            try (SocketClient c = new SocketClient(socket)) {
                SocketClient.Reply r = c.post(path, json);
                if (r.status() != 200) {
                    throw new IllegalStateException(path + ": " + r.status() + " " + r.body());
                }
                return r.body();
            }
        }

        Memory memory() throws IOException {
            String pid = Long.toString(process.pid());
            String jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
            Command.of(jcmd, pid, "GC.run").run();
            String heap = Command.of(jcmd, pid, "GC.heap_info").run().stdout();
            double usedKiB = 0;
            Matcher m = Pattern.compile("generation\\s+total \\d+K, used (\\d+)K").matcher(heap);
            while (m.find()) {
                usedKiB += Long.parseLong(m.group(1));
            }
            double rssKiB = 0;
            for (String line : Files.readAllLines(Path.of("/proc", pid, "status"))) {
                if (line.startsWith("VmRSS:")) {
                    rssKiB = Double.parseDouble(line.replaceAll("[^0-9]", ""));
                }
            }
            return new Memory(rssKiB / 1024, usedKiB / 1024);
        }

        private static void sleep(long ms) {
            try {
                Thread.sleep(ms);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
