package dev.berth.kv.embedded;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * For tests that need to know what goes into one batch: holds a store's group commit busy with a write that waits
 * inside its transaction, so that the writes queued meanwhile ({@link #queue}, in that order) all go into the next
 * batch when {@link #release} lets it finish.
 */
final class HeldBatch implements AutoCloseable {
    private final GroupCommit writes;
    private final CountDownLatch inside = new CountDownLatch(1);
    private final CountDownLatch release = new CountDownLatch(1);
    private final ExecutorService pool = Executors.newCachedThreadPool();
    final Future<String> held;

    /** Starts the holding write; returns once it runs (inside its transaction, holding SQLite's write lock). */
    HeldBatch(EmbeddedStore store, SqliteDb.Work<String> inTransaction) throws InterruptedException {
        this.writes = store.groupCommit();
        this.held = pool.submit(() -> writes.write(c -> {
            inside.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return inTransaction.run(c);
        }));
        assertTrue(inside.await(10, TimeUnit.SECONDS), "the holding write did not start");
    }

    /** Runs call on its own thread and waits until its write is queued behind the held batch. */
    <T> Future<T> queue(Callable<T> call) throws InterruptedException {
        int before = writes.queued();
        Future<T> f = pool.submit(call);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (writes.queued() == before) {
            assertTrue(System.nanoTime() < deadline, "the write was not queued");
            Thread.sleep(1);
        }
        return f;
    }

    /** Runs call on its own thread without waiting for anything. */
    <T> Future<T> run(Callable<T> call) {
        return pool.submit(call);
    }

    void release() {
        release.countDown();
    }

    @Override
    public void close() {
        release();
        pool.shutdownNow();
    }
}
