package dev.berth.kv.embedded;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.kv.KeyValue;
import dev.berth.kv.KvUrl;
import dev.berth.kv.RecordingListener;
import dev.berth.kv.Watch;
import dev.berth.kv.WatchListener;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Group commit under real concurrency: many threads of one process writing through one embedded store. */
@Tag("unit")
class EmbeddedGroupCommitTest {
    private static final int THREADS = 32;

    @TempDir
    Path dir;

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Runs body(thread) on THREADS threads started together; returns when all are done. */
    private static void together(ThrowingIntConsumer body) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        CyclicBarrier start = new CyclicBarrier(THREADS);
        try {
            List<Future<?>> fs = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                int thread = t;
                fs.add(pool.submit(() -> {
                    start.await();
                    body.accept(thread);
                    return null;
                }));
            }
            for (Future<?> f : fs) {
                f.get(120, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    interface ThrowingIntConsumer {
        void accept(int value) throws Exception;
    }

    @Test
    void loneWriter_commitsAloneOnItsOwnThread() {
        try (EmbeddedStore store = EmbeddedStore.open(dir)) {
            long before = store.groupCommit().batches();
            Thread caller = Thread.currentThread();
            for (int i = 0; i < 20; i++) {
                assertEquals(caller, store.groupCommit().write(c -> Thread.currentThread()), "no hand-off");
            }
            assertEquals(before + 20, store.groupCommit().batches(), "one transaction per write, none waits");
        }
    }

    @Test
    void createOfOneKey_exactlyOneOfManyThreadsWins() throws Exception {
        try (EmbeddedStore store = EmbeddedStore.open(dir)) {
            for (int round = 0; round < 10; round++) {
                String key = "race/" + round;
                Map<Integer, Long> winners = new ConcurrentHashMap<>();
                together(t -> store.create(key, b("t" + t)).ifPresent(rev -> winners.put(t, rev)));
                assertEquals(1, winners.size(), "winners of " + key + ": " + winners);
                Map.Entry<Integer, Long> w = winners.entrySet().iterator().next();
                KeyValue kv = store.get(key).orElseThrow();
                assertEquals("t" + w.getKey(), kv.text());
                assertEquals(w.getValue(), kv.modRevision());
                assertEquals(w.getValue(), kv.createRevision());
            }
        }
    }

    @Test
    void compareAndSetOnOneKey_exactlyOneWinnerPerRevision_andTheWinsFormOneChain() throws Exception {
        try (EmbeddedStore store = EmbeddedStore.open(dir)) {
            long first = store.put("counter", b("0"));
            int winsEach = 30;
            Map<Long, Long> nextOf = new ConcurrentHashMap<>(); // expected revision -> revision the winning CAS made
            AtomicInteger duplicates = new AtomicInteger();
            AtomicInteger attempts = new AtomicInteger();
            long batchesBefore = store.groupCommit().batches();
            together(t -> {
                for (int won = 0; won < winsEach; ) {
                    KeyValue cur = store.get("counter").orElseThrow();
                    long n = Long.parseLong(cur.text());
                    attempts.incrementAndGet();
                    Optional<Long> next = store.compareAndSet("counter", cur.modRevision(), b(Long.toString(n + 1)));
                    if (next.isPresent()) {
                        won++;
                        if (nextOf.put(cur.modRevision(), next.get()) != null) {
                            duplicates.incrementAndGet();
                        }
                    }
                }
            });
            int total = THREADS * winsEach;
            assertEquals(0, duplicates.get(), "two CAS won on the same revision");
            assertEquals(total, nextOf.size());
            KeyValue end = store.get("counter").orElseThrow();
            assertEquals(Integer.toString(total), end.text(), "no lost update");
            long rev = first;
            for (int i = 0; i < total; i++) {
                Long next = nextOf.get(rev);
                assertTrue(next != null && next > rev, "the chain breaks after revision " + rev);
                rev = next;
            }
            assertEquals(end.modRevision(), rev);
            assertTrue(store.groupCommit().batches() - batchesBefore < attempts.get(),
                    "some CAS shared a transaction: " + (store.groupCommit().batches() - batchesBefore)
                            + " transactions for " + attempts.get() + " attempts");
        }
    }

    @Test
    void acknowledgedWrites_areThereAfterCloseAndReopen() throws Exception {
        int each = 100;
        Map<String, Long> acked = new ConcurrentHashMap<>();
        try (EmbeddedStore store = EmbeddedStore.open(dir)) {
            together(t -> {
                for (int i = 0; i < each; i++) {
                    String key = "ack/t" + t + "/" + i;
                    long rev = store.create(key, b(key)).orElseThrow();
                    if (i % 2 == 1) {
                        rev = store.compareAndSet(key, rev, b("released")).orElseThrow();
                    }
                    acked.put(key, rev);
                }
            });
        }
        try (EmbeddedStore store = EmbeddedStore.open(dir)) {
            assertEquals(THREADS * each, acked.size());
            assertEquals(THREADS * each, store.list("ack/").entries().size());
            TreeMap<Long, String> byRevision = new TreeMap<>();
            for (Map.Entry<String, Long> e : acked.entrySet()) {
                KeyValue kv = store.get(e.getKey()).orElseThrow(() -> new AssertionError("lost " + e.getKey()));
                assertEquals(e.getValue(), kv.modRevision(), e.getKey());
                assertTrue(byRevision.put(e.getValue(), e.getKey()) == null, "revision given twice: " + e.getValue());
            }
        }
    }

    @Test
    void compactionStillHappens_whenBatchesJumpOverItsRevision() throws Exception {
        try (EmbeddedStore store = EmbeddedStore.open(KvUrl.parse("embedded://" + dir + "?keep=100"))) {
            together(t -> {
                for (int i = 0; i < 80; i++) {
                    store.put("c/t" + t, b(Integer.toString(i)));
                }
            });
            assertTrue(store.list("").revision() >= 2_560);
            RecordingListener rec = new RecordingListener();
            Watch w = store.watch("c/", 5, rec);
            rec.awaitReset(Duration.ofSeconds(10));
            assertEquals(WatchListener.ResetReason.COMPACTED, rec.lastReset.get());
            assertTrue(!w.isActive());
        }
    }
}
