package dev.berth.kv.embedded;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.kv.KvException;
import dev.berth.kv.KvUnavailableException;
import dev.berth.kv.KvUrl;
import dev.berth.kv.Lease;
import dev.berth.kv.RecordingListener;
import dev.berth.kv.Watch;
import dev.berth.kv.WatchEvent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Group commit, one batch at a time: writes queued behind a held batch ({@link HeldBatch}) share the next transaction,
 * and each keeps its own condition, revision, change-log row and outcome; timeouts and close fail only queued writes.
 */
@Tag("unit")
class EmbeddedBatchOutcomeTest {
    @TempDir
    Path dir;

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static Throwable failure(Future<?> f) throws InterruptedException {
        ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(10, TimeUnit.SECONDS));
        return e.getCause();
    }

    @Test
    void mixedBatch_eachWriteKeepsItsOwnConditionRevisionAndOutcome() throws Exception {
        try (EmbeddedStore store = EmbeddedStore.open(dir)) {
            store.create("m/exists", b("old"));
            long casRev = store.put("m/cas", b("v0"));
            long delRev = store.put("m/del", b("d"));
            Lease ended = store.grantLease(Duration.ofSeconds(5));
            ended.close();
            long start = store.list("").revision();
            RecordingListener rec = new RecordingListener();
            try (Watch w = store.watch("m/", start, rec); HeldBatch held = new HeldBatch(store, c -> "held")) {
                long batchesBefore = store.groupCommit().batches();
                Future<Optional<Long>> createTaken = held.queue(() -> store.create("m/exists", b("new")));
                Future<Optional<Long>> createNew = held.queue(() -> store.create("m/new", b("1")));
                Future<Optional<Long>> createAgain = held.queue(() -> store.create("m/new", b("2")));
                Future<Optional<Long>> cas = held.queue(() -> store.compareAndSet("m/cas", casRev, b("v1")));
                Future<Optional<Long>> casStale = held.queue(() -> store.compareAndSet("m/cas", casRev, b("v2")));
                Future<Long> putDeadLease = held.queue(() -> store.put("m/leased", b("x"), ended));
                Future<Object> halfDone = held.queue(() -> store.groupCommit().write(c -> {
                    Rows.upsert(c, "m/partial", b("half"), 0, Optional.empty());
                    throw new SQLException("boom after a partial write");
                }));
                Future<Boolean> cad = held.queue(() -> store.compareAndDelete("m/del", delRev));
                Future<Boolean> deleteMissing = held.queue(() -> store.delete("m/missing"));
                Future<Long> put = held.queue(() -> store.put("m/after", b("z")));
                held.release();
                assertEquals("held", held.held.get(10, TimeUnit.SECONDS));

                assertEquals(Optional.empty(), createTaken.get(10, TimeUnit.SECONDS));
                long newRev = createNew.get(10, TimeUnit.SECONDS).orElseThrow();
                assertEquals(Optional.empty(), createAgain.get(10, TimeUnit.SECONDS), "sees the create before it");
                long casNext = cas.get(10, TimeUnit.SECONDS).orElseThrow();
                assertEquals(Optional.empty(), casStale.get(10, TimeUnit.SECONDS), "sees the CAS before it");
                assertTrue(failure(putDeadLease).getMessage().contains("has ended"), "only that write fails");
                assertInstanceOf(KvException.class, failure(halfDone));
                assertTrue(cad.get(10, TimeUnit.SECONDS));
                assertFalse(deleteMissing.get(10, TimeUnit.SECONDS));
                long putRev = put.get(10, TimeUnit.SECONDS);

                assertEquals(batchesBefore + 1, store.groupCommit().batches(), "all ten in one transaction");
                // consecutive revisions in arrival order: the failed writes' revisions were rolled back with them
                assertEquals(start + 1, newRev);
                assertEquals(start + 2, casNext);
                assertEquals(start + 4, putRev);
                assertEquals(start + 4, store.list("").revision());
                assertEquals("old", store.get("m/exists").orElseThrow().text());
                assertEquals("1", store.get("m/new").orElseThrow().text());
                assertEquals("v1", store.get("m/cas").orElseThrow().text());
                assertEquals(Optional.empty(), store.get("m/partial"), "rolled back to its savepoint");
                assertEquals(Optional.empty(), store.get("m/leased"));
                assertEquals(Optional.empty(), store.get("m/del"));

                rec.awaitEvents(4, Duration.ofSeconds(10));
                List<WatchEvent> ev = rec.events();
                assertEquals(List.of("m/new", "m/cas", "m/del", "m/after"), ev.stream().map(WatchEvent::key).toList());
                assertEquals(List.of(start + 1, start + 2, start + 3, start + 4),
                        ev.stream().map(WatchEvent::revision).toList());
                assertEquals(WatchEvent.Type.DELETE, ev.get(2).type());
            }
        }
    }

    @Test
    void aBatchWhoseTransactionFails_failsAllItsWritesAndCommitsNone() throws Exception {
        try (EmbeddedStore store = EmbeddedStore.open(dir)) {
            long start = store.list("").revision();
            // the held write ends the transaction under the batch (as an I/O error would), so COMMIT fails
            try (HeldBatch held = new HeldBatch(store, c -> "held")) {
                Future<Long> a = held.queue(() -> store.put("f/a", b("1")));
                Future<Object> killer = held.queue(() -> store.groupCommit().write(c -> {
                    c.createStatement().execute("ROLLBACK");
                    throw new SQLException("the transaction is gone");
                }));
                Future<Long> after = held.queue(() -> store.put("f/c", b("3")));
                held.release();
                held.held.get(10, TimeUnit.SECONDS);
                assertInstanceOf(KvException.class, failure(a));
                assertInstanceOf(KvException.class, failure(killer));
                assertInstanceOf(KvException.class, failure(after));
            }
            assertEquals(Optional.empty(), store.get("f/a"));
            assertEquals(Optional.empty(), store.get("f/c"));
            assertEquals(start, store.list("").revision());
            assertTrue(store.put("f/later", b("ok")) > start, "the store goes on");
        }
    }

    @Test
    void aQueuedWriteTimesOutWithoutBeingWritten() throws Exception {
        try (EmbeddedStore store = EmbeddedStore.open(KvUrl.parse("embedded://" + dir + "?timeout=300ms"))) {
            try (HeldBatch held = new HeldBatch(store, c -> "held")) {
                long t0 = System.nanoTime();
                Future<Long> late = held.queue(() -> store.put("t/late", b("x")));
                assertInstanceOf(KvUnavailableException.class, failure(late));
                long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
                assertTrue(took >= 250 && took < 5_000, "timed out after " + took + " ms");
                assertEquals(0, store.groupCommit().queued(), "withdrawn from the queue");
                held.release();
                assertEquals("held", held.held.get(10, TimeUnit.SECONDS), "the running batch is not affected");
            }
            assertEquals(Optional.empty(), store.get("t/late"));
        }
    }

    @Test
    void anInterruptedQueuedWriteIsWithdrawn_andItsThreadStaysInterrupted() throws Exception {
        try (EmbeddedStore store = EmbeddedStore.open(dir)) {
            try (HeldBatch held = new HeldBatch(store, c -> "held")) {
                Thread[] writer = new Thread[1];
                Future<Boolean> late = held.queue(() -> {
                    writer[0] = Thread.currentThread();
                    try {
                        store.put("i/late", b("x"));
                        return false;
                    } catch (KvUnavailableException e) {
                        return Thread.currentThread().isInterrupted();
                    }
                });
                writer[0].interrupt();
                assertTrue(late.get(10, TimeUnit.SECONDS), "fails, keeping the interrupt");
                held.release();
                held.held.get(10, TimeUnit.SECONDS);
            }
            assertEquals(Optional.empty(), store.get("i/late"));
        }
    }

    @Test
    void close_failsQueuedWritesCleanly_whileTheRunningBatchCommits() throws Exception {
        EmbeddedStore store = EmbeddedStore.open(dir);
        try (HeldBatch held = new HeldBatch(store, c -> {
            Rows.upsert(c, "c/in-flight", b("committed"), 0, Optional.empty());
            return "held";
        })) {
            Future<Long> q1 = held.queue(() -> store.put("c/q1", b("1")));
            Future<Optional<Long>> q2 = held.queue(() -> store.create("c/q2", b("2")));
            Future<?> closing = held.run(() -> {
                store.close();
                return null;
            });
            assertInstanceOf(KvException.class, failure(q1));
            assertInstanceOf(KvException.class, failure(q2));
            assertThrows(KvException.class, () -> store.put("c/after", b("x")));
            held.release();
            assertEquals("held", held.held.get(10, TimeUnit.SECONDS));
            closing.get(10, TimeUnit.SECONDS);
        }
        try (EmbeddedStore again = EmbeddedStore.open(dir)) {
            assertEquals("committed", again.get("c/in-flight").orElseThrow().text());
            assertEquals(Optional.empty(), again.get("c/q1"));
            assertEquals(Optional.empty(), again.get("c/q2"));
        }
    }
}
