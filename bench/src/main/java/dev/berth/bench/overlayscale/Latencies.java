package dev.berth.bench.overlayscale;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Supplier;

/** Call latencies by method, from any number of threads. */
public final class Latencies {
    private final Map<String, ConcurrentLinkedQueue<Long>> byMethod = new ConcurrentHashMap<>();

    /** Runs the call and records how long it took under {@code method}. */
    public <T> T time(String method, Supplier<T> call) {
        long t = System.nanoTime();
        T out = call.get();
        byMethod.computeIfAbsent(method, m -> new ConcurrentLinkedQueue<>()).add(System.nanoTime() - t);
        return out;
    }

    public void time(String method, Runnable call) {
        time(method, () -> {
            call.run();
            return null;
        });
    }

    /** Count, p50, p99 and max of one method, in milliseconds. */
    public record Summary(int count, double p50ms, double p99ms, double maxMs) {
    }

    public Map<String, Summary> summaries() {
        Map<String, Summary> out = new TreeMap<>();
        byMethod.forEach((m, q) -> {
            List<Long> s = new ArrayList<>(q);
            Collections.sort(s);
            out.put(m, new Summary(s.size(), ms(percentile(s, 0.50)), ms(percentile(s, 0.99)),
                    ms(s.get(s.size() - 1))));
        });
        return out;
    }

    private static long percentile(List<Long> sorted, double p) {
        int i = (int) Math.ceil(p * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, i)));
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }
}
