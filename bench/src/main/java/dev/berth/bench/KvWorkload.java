package dev.berth.bench;

import dev.berth.kv.KvStore;
import dev.berth.kv.Watch;
import dev.berth.kv.WatchEvent;
import dev.berth.kv.WatchListener;
import dev.berth.kv.KvException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/** The operations measured on every store, each for a fixed time with several client threads. */
final class KvWorkload {
    interface Op {
        void run(KvStore store, int thread, long i);
    }

    private KvWorkload() {
    }

    /** Operations per second of op, over {@code duration}, from {@code threads} threads. */
    static double throughput(KvStore store, int threads, Duration duration, Op op) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        AtomicLong done = new AtomicLong();
        long end = System.nanoTime() + duration.toNanos();
        try {
            List<Future<?>> fs = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                fs.add(pool.submit(() -> {
                    long i = 0;
                    while (System.nanoTime() < end) {
                        op.run(store, thread, i++);
                        done.incrementAndGet();
                    }
                    return null;
                }));
            }
            long t0 = System.nanoTime();
            for (Future<?> f : fs) {
                f.get();
            }
            return done.get() / ((System.nanoTime() - t0) / 1e9);
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * Watch delivery latency: a writer puts {@code samples} values carrying their send time at about {@code rate} per
     * second; a watcher on another client notes when each arrives. Returns the sorted latencies in microseconds.
     */
    static List<Long> watchLatencies(KvStore writer, KvStore watcher, String prefix, int samples, int rate)
            throws Exception {
        List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch all = new CountDownLatch(samples);
        long from = watcher.list(prefix).revision();
        try (Watch w = watcher.watch(prefix, from, new WatchListener() {
            @Override
            public void onEvents(List<WatchEvent> events) {
                long now = System.nanoTime();
                for (WatchEvent e : events) {
                    if (e.type() == WatchEvent.Type.PUT) {
                        long sent = ByteBuffer.wrap(e.entry().value()).getLong();
                        latencies.add((now - sent) / 1_000);
                        all.countDown();
                    }
                }
            }

            @Override
            public void onReset(ResetReason reason) {
                throw new IllegalStateException("watch reset during the benchmark: " + reason);
            }

            @Override
            public void onError(KvException error) {
                throw error;
            }
        })) {
            long interval = 1_000_000_000L / rate;
            long next = System.nanoTime();
            for (int i = 0; i < samples; i++) {
                while (System.nanoTime() < next) {
                    Thread.onSpinWait();
                }
                next += interval;
                writer.put(prefix + "k" + (i % 16), ByteBuffer.allocate(8).putLong(System.nanoTime()).array());
            }
            if (!all.await(60, TimeUnit.SECONDS)) {
                throw new IllegalStateException("only " + (samples - all.getCount()) + " of " + samples
                        + " watch events arrived");
            }
        }
        List<Long> sorted = new ArrayList<>(latencies);
        Collections.sort(sorted);
        return sorted;
    }

    static long percentile(List<Long> sorted, double p) {
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p * sorted.size()) - 1));
    }
}
