package dev.berth.bench;

import dev.berth.exec.Command;
import dev.berth.kv.KvStore;
import dev.berth.kv.KvStores;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Supplier;

/**
 * Durable write throughput under many concurrent writers in one process, the IPAM driver's pattern: every client
 * thread shares one store object and allocates with {@code create} of a unique key, and in the second workload also
 * releases with a {@code compareAndSet} on the revision the create returned (a create+CAS pair). Each figure is
 * {@value #SECONDS} s, median of {@value #ROUNDS} rounds, at {@code 1, 16, 64} threads.
 *
 * <p>Run: {@code ./berth bench kv --writers} (the embedded store, {@code sync=full}, a fresh temporary directory per
 * figure) or {@code ./berth bench kv --writers URL...}.
 */
final class KvWriteBench {
    static final int[] THREADS = {1, 16, 64};
    static final int SECONDS = 3;
    static final int ROUNDS = 3;

    private KvWriteBench() {
    }

    /** Where to measure: a fresh store per figure, so every figure starts from the same (empty) file. */
    record Target(String name, Supplier<KvStore> fresh) {
    }

    public static void main(String[] args) throws Exception {
        Path root = Files.createTempDirectory("berth-kv-write-bench");
        try {
            List<Target> targets = new ArrayList<>();
            if (args.length == 0) {
                int[] n = {0};
                targets.add(new Target("embedded (sync=full)",
                        () -> KvStores.open("embedded://" + root.resolve("full-" + n[0]++))));
            }
            for (String url : args) {
                targets.add(new Target(url, () -> KvStores.open(url)));
            }
            System.out.println("## Concurrent durable writes, one process (" + LocalDate.now() + ")");
            System.out.println();
            System.out.println("Command: `./berth bench kv --writers" + (args.length == 0 ? "" : " " + String.join(" ",
                    args)) + "`; " + SECONDS + " s per figure, median of " + ROUNDS + " rounds; a create+CAS pair "
                    + "counts as 2 ops.");
            System.out.println();
            System.out.println("| store | threads | create ops/s | create+CAS ops/s |");
            System.out.println("|---|---|---|---|");
            for (Target target : targets) {
                for (int threads : THREADS) {
                    System.err.println("measuring " + target.name() + " with " + threads + " threads ...");
                    double creates = median(target, threads, false);
                    double pairs = median(target, threads, true);
                    System.out.printf("| %s | %d | %.0f | %.0f |%n", target.name(), threads, creates, pairs);
                }
            }
        } finally {
            Command.of("rm", "-rf", root.toString()).run();
        }
    }

    private static double median(Target target, int threads, boolean withCas) throws Exception {
        List<Double> rounds = new ArrayList<>();
        for (int r = 0; r < ROUNDS; r++) {
            String prefix = "bench/alloc/" + System.nanoTime() + "/t";
            try (KvStore store = target.fresh().get()) {
                double rate = KvWorkload.throughput(store, threads, Duration.ofSeconds(SECONDS), (s, t, i) -> {
                    String key = prefix + t + "/" + i;
                    long rev = s.create(key, bytes("taken")).orElseThrow(
                            () -> new IllegalStateException("create of a unique key failed: " + key));
                    if (withCas && s.compareAndSet(key, rev, bytes("free")).isEmpty()) {
                        throw new IllegalStateException("uncontended CAS failed: " + key);
                    }
                });
                rounds.add(withCas ? rate * 2 : rate);
            }
        }
        Collections.sort(rounds);
        return rounds.get(rounds.size() / 2);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
