package dev.berth.kv.embedded;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.kv.KvException;
import dev.berth.kv.KvStore;
import dev.berth.kv.Watch;
import dev.berth.kv.WatchEvent;
import dev.berth.kv.WatchListener;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * 10 writers x 10,000 updates on the embedded store; a watcher sees every change in revision order, none lost, also
 * across a forced reconnect: mid-stream its client is closed and a new one resumes from the last revision it saw.
 */
@Tag("integration")
class EmbeddedChurnIT {
    private static final int WRITERS = 10;
    private static final int UPDATES = 10_000;

    @TempDir
    Path dir;

    /** Collects events; remembers the last revision so a new client can resume. */
    private static final class Collector implements WatchListener {
        final List<WatchEvent> events = new ArrayList<>();
        volatile long last;
        volatile Throwable failure;

        @Override
        public synchronized void onEvents(List<WatchEvent> batch) {
            events.addAll(batch);
            last = batch.get(batch.size() - 1).revision();
        }

        @Override
        public void onReset(ResetReason reason) {
            failure = new AssertionError("unexpected reset " + reason);
        }

        @Override
        public void onError(KvException error) {
            failure = error;
        }

        synchronized int size() {
            return events.size();
        }
    }

    @Test
    void tenWritersTimesTenThousand_allSeenInOrderAcrossAReconnect() throws Exception {
        KvStore a = EmbeddedStore.open(dir);
        KvStore b = EmbeddedStore.open(dir);
        KvStore watcherClient = EmbeddedStore.open(dir);
        Collector seen = new Collector();
        Watch watch = watcherClient.watch("churn/", watcherClient.list("churn/").revision(), seen);
        ExecutorService pool = Executors.newFixedThreadPool(WRITERS);
        try {
            List<Future<?>> writers = new ArrayList<>();
            for (int w = 0; w < WRITERS; w++) {
                int id = w;
                KvStore client = w % 2 == 0 ? a : b;
                writers.add(pool.submit(() -> {
                    for (int i = 0; i < UPDATES; i++) {
                        client.put("churn/w" + id, Integer.toString(i).getBytes(StandardCharsets.UTF_8));
                    }
                    return null;
                }));
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (seen.size() < WRITERS * UPDATES / 3 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            // forced reconnect: the watching client goes away; a new one resumes from the last revision seen
            watch.close();
            watcherClient.close();
            KvStore resumed = EmbeddedStore.open(dir);
            Watch again = resumed.watch("churn/", seen.last, seen);
            for (Future<?> f : writers) {
                f.get(180, TimeUnit.SECONDS);
            }
            while (seen.size() < WRITERS * UPDATES && System.nanoTime() < deadline + TimeUnit.SECONDS.toNanos(60)) {
                Thread.sleep(20);
            }
            again.close();
            resumed.close();
        } finally {
            pool.shutdownNow();
            a.close();
            b.close();
        }
        assertEquals(null, seen.failure);
        List<WatchEvent> ev = seen.events;
        assertEquals(WRITERS * UPDATES, ev.size());
        for (int i = 1; i < ev.size(); i++) {
            assertTrue(ev.get(i).revision() > ev.get(i - 1).revision(), "revision order at " + i);
        }
        for (int w = 0; w < WRITERS; w++) {
            String key = "churn/w" + w;
            int expect = 0;
            for (WatchEvent e : ev) {
                if (e.key().equals(key)) {
                    assertEquals(Integer.toString(expect++), e.entry().text(), key);
                }
            }
            assertEquals(UPDATES, expect, key);
        }
    }
}
