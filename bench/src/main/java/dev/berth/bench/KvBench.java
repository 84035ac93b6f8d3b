package dev.berth.bench;

import dev.berth.kv.KeyValue;
import dev.berth.kv.KvStore;
import dev.berth.kv.KvStores;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Store throughput and watch latency, the same workload on every backend:
 * put, compare-and-set (each thread on its own key, so every CAS succeeds), get, list of 100 keys, each for
 * {@value #SECONDS} s with {@value #THREADS} client threads, repeated {@value #ROUNDS} times (median reported); and watch
 * delivery latency p50/p99 of {@value #SAMPLES} puts at {@value #RATE}/s, seen by a second client.
 *
 * <p>Run: {@code ./berth bench kv} (every backend it can start here) or {@code ./berth bench kv URL...};
 * {@code ./berth bench kv --writers [URL...]} measures many concurrent writers instead ({@link KvWriteBench}).
 */
public final class KvBench {
    static final int THREADS = 4;
    static final int SECONDS = 3;
    static final int ROUNDS = 3;
    static final int SAMPLES = 2_000;
    static final int RATE = 500;

    private KvBench() {
    }

    /** One backend to measure: a name and how to open clients on it. */
    record Target(String name, Supplier<KvStore> client) {
    }

    record Result(String name, double put, double cas, double get, double list, long p50us, long p99us) {
    }

    static Result measure(Target target) throws Exception {
        try (KvStore store = target.client().get(); KvStore other = target.client().get()) {
            for (int i = 0; i < 100; i++) {
                store.put("bench/list/k" + i, bytes("v" + i));
            }
            List<Double> put = new ArrayList<>();
            List<Double> cas = new ArrayList<>();
            List<Double> get = new ArrayList<>();
            List<Double> list = new ArrayList<>();
            Duration d = Duration.ofSeconds(SECONDS);
            for (int r = 0; r < ROUNDS; r++) {
                put.add(KvWorkload.throughput(store, THREADS, d, (s, t, i) -> s.put("bench/put/t" + t + "/" + (i % 100),
                        bytes("value-" + i))));
                long[] revs = new long[THREADS];
                for (int t = 0; t < THREADS; t++) {
                    revs[t] = store.put("bench/cas/t" + t, bytes("0"));
                }
                cas.add(KvWorkload.throughput(store, THREADS, d, (s, t, i) -> {
                    Optional<Long> next = s.compareAndSet("bench/cas/t" + t, revs[t], bytes(Long.toString(i)));
                    revs[t] = next.orElseThrow(() -> new IllegalStateException("uncontended CAS failed"));
                }));
                get.add(KvWorkload.throughput(store, THREADS, d, (s, t, i) -> {
                    Optional<KeyValue> v = s.get("bench/list/k" + (i % 100));
                    if (v.isEmpty()) {
                        throw new IllegalStateException("missing key");
                    }
                }));
                list.add(KvWorkload.throughput(store, THREADS, d, (s, t, i) -> {
                    if (s.list("bench/list/").entries().size() != 100) {
                        throw new IllegalStateException("list lost keys");
                    }
                }));
            }
            List<Long> lat = KvWorkload.watchLatencies(store, other, "bench/watch/", SAMPLES, RATE);
            return new Result(target.name(), median(put), median(cas), median(get), median(list),
                    KvWorkload.percentile(lat, 0.50), KvWorkload.percentile(lat, 0.99));
        }
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("--writers")) {
            KvWriteBench.main(java.util.Arrays.copyOfRange(args, 1, args.length));
            return;
        }
        List<Target> targets = new ArrayList<>();
        List<AutoCloseable> servers = new ArrayList<>();
        try {
            if (args.length > 0) {
                for (String url : args) {
                    targets.add(new Target(url, () -> KvStores.open(url)));
                }
            } else {
                BenchServers.standard(targets, servers);
            }
            Map<String, Result> results = new LinkedHashMap<>();
            for (Target t : targets) {
                System.err.println("measuring " + t.name() + " ...");
                results.put(t.name(), measure(t));
            }
            report(results);
        } finally {
            Collections.reverse(servers);
            for (AutoCloseable s : servers) {
                s.close();
            }
        }
    }

    private static void report(Map<String, Result> results) {
        System.out.println("## Store throughput and watch latency (" + LocalDate.now() + ")");
        System.out.println();
        System.out.println("Command: `./berth bench kv`; " + THREADS + " client threads, " + SECONDS + " s per figure, "
                + "median of " + ROUNDS + " rounds; watch latency over " + SAMPLES + " puts at " + RATE + "/s.");
        System.out.println();
        System.out.println("| store | put ops/s | CAS ops/s | get ops/s | list(100) ops/s | watch p50 | watch p99 |");
        System.out.println("|---|---|---|---|---|---|---|");
        for (Result r : results.values()) {
            System.out.printf("| %s | %.0f | %.0f | %.0f | %.0f | %.1f ms | %.1f ms |%n", r.name(), r.put(), r.cas(),
                    r.get(), r.list(), r.p50us() / 1000.0, r.p99us() / 1000.0);
        }
    }

    private static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get(sorted.size() / 2);
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
