package dev.berth.kv.embedded;

import dev.berth.kv.KvException;
import dev.berth.kv.KvUnavailableException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Group commit for one store's writes: concurrent writers of this process share SQLite transactions, so that a batch
 * of them costs one COMMIT (one fsync with {@code synchronous=FULL}) instead of one each. With a commit costing a few
 * hundred microseconds of fsync, this is what lets one process go beyond a few thousand durable writes per second.
 *
 * <p>Leader/follower: a caller queues its write; if no thread is committing, it becomes the leader, takes whatever is
 * queued (its own write included, at most {@value #MAX_BATCH}) and runs it as one transaction ({@link WriteBatch}) on
 * its own thread, then wakes the waiters of that batch and hands leadership to the next queued writer, if any.
 * Writes that arrive meanwhile wait and go into the next batch. There is no linger: a lone writer leads a batch of one
 * at once, on its own thread, just like an unbatched write; batches only grow while a commit is under way. (The price:
 * a leader's call also carries the others' writes of its batch, and, with more than {@value #MAX_BATCH} queued ahead
 * of it, the batches before its own.) Key writes and lease writes ({@link EmbeddedLeases}) share the batches.
 *
 * <p>A caller returns only after the COMMIT holding its write has returned (or with the error that made it fail).
 * A write still queued when its call timeout passes (or its thread is interrupted) is withdrawn and fails with
 * {@link KvUnavailableException}; once in a running batch it waits for that batch's outcome, which the transaction's
 * own timeout (BEGIN waits at most the call timeout for another process's lock) bounds. {@link #close()} fails every
 * queued write with {@link KvException}; writes already in a batch finish.
 */
final class GroupCommit implements AutoCloseable {
    static final int MAX_BATCH = 256;
    /** How long a waiter whose write is in a running batch sleeps between checks (it is woken when done anyway). */
    private static final long RUNNING_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

    private final SqliteDb db;
    private final WriteBatch.AfterWrites afterWrites;
    private final long timeoutNanos;
    private final ReentrantLock lock = new ReentrantLock();
    private final ArrayDeque<PendingWrite<?>> queue = new ArrayDeque<>();
    private final AtomicLong batches = new AtomicLong();
    private boolean leading;
    private boolean closed;

    GroupCommit(SqliteDb db, WriteBatch.AfterWrites afterWrites) {
        this.db = db;
        this.afterWrites = afterWrites;
        this.timeoutNanos = db.timeout().toNanos();
    }

    /** Runs work in a write transaction, maybe shared with other writers; returns once that transaction committed. */
    <T> T write(SqliteDb.Work<T> work) {
        PendingWrite<T> mine = new PendingWrite<>(work, Thread.currentThread());
        long deadline = System.nanoTime() + timeoutNanos;
        enqueue(mine);
        boolean interrupted = false;
        try {
            while (mine.state() != PendingWrite.DONE) {
                if (becomeLeader(mine, deadline, interrupted)) {
                    lead(mine);
                } else if (mine.state() != PendingWrite.DONE) {
                    long wait = mine.state() == PendingWrite.QUEUED ? deadline - System.nanoTime() : RUNNING_PARK_NANOS;
                    LockSupport.parkNanos(this, Math.max(wait, 1));
                    interrupted |= Thread.interrupted();
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        return mine.result();
    }

    /** Transactions committed (or attempted) so far; for tests and diagnostics. */
    long batches() {
        return batches.get();
    }

    /** Writes waiting for a batch; for tests. */
    int queued() {
        lock.lock();
        try {
            return queue.size();
        } finally {
            lock.unlock();
        }
    }

    private void enqueue(PendingWrite<?> w) {
        lock.lock();
        try {
            if (closed) {
                throw closedError();
            }
            queue.add(w);
        } finally {
            lock.unlock();
        }
    }

    /**
     * True if the caller should lead now. Otherwise, if its write is still queued and its time is up (or it was
     * interrupted), withdraws and fails it.
     */
    private boolean becomeLeader(PendingWrite<?> mine, long deadline, boolean interrupted) {
        lock.lock();
        try {
            if (mine.state() == PendingWrite.DONE) {
                return false;
            }
            if (!leading) {
                leading = true;
                return true;
            }
            if (mine.state() == PendingWrite.QUEUED && (interrupted || System.nanoTime() - deadline >= 0)) {
                queue.remove(mine);
                mine.fail(interrupted ? new KvUnavailableException("interrupted while waiting for the embedded store")
                        : new KvUnavailableException("the embedded store " + db.file() + " stayed busy for "
                                + TimeUnit.NANOSECONDS.toMillis(timeoutNanos) + " ms"));
                mine.complete(null);
            }
            return false;
        } finally {
            lock.unlock();
        }
    }

    /** Commits batches until the leader's own write is done, then hands leadership to the next queued writer. */
    private void lead(PendingWrite<?> mine) {
        boolean interrupted = false;
        try {
            while (mine.state() != PendingWrite.DONE) {
                // an interrupt of the leader must not fail the batch it commits for others (SqliteDb's lock wait is
                // interruptible): set it aside and restore it when done
                interrupted |= Thread.interrupted();
                List<PendingWrite<?>> batch = take();
                if (batch.isEmpty()) {
                    return; // cannot happen while mine is not done; do not spin if it does
                }
                commit(batch);
            }
        } finally {
            handOver();
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private List<PendingWrite<?>> take() {
        lock.lock();
        try {
            List<PendingWrite<?>> batch = new ArrayList<>(Math.min(queue.size(), MAX_BATCH));
            while (!queue.isEmpty() && batch.size() < MAX_BATCH) {
                PendingWrite<?> w = queue.poll();
                w.running();
                batch.add(w);
            }
            return batch;
        } finally {
            lock.unlock();
        }
    }

    private void commit(List<PendingWrite<?>> batch) {
        RuntimeException failure = null;
        try {
            batches.incrementAndGet();
            WriteBatch.run(db, batch, afterWrites);
        } catch (RuntimeException e) {
            failure = e;
        } catch (Error e) {
            failure = new KvException("embedded store write failed: " + e, e);
            throw e;
        } finally {
            for (PendingWrite<?> w : batch) {
                w.complete(failure);
            }
        }
    }

    private void handOver() {
        lock.lock();
        try {
            leading = false;
            PendingWrite<?> next = queue.peek();
            if (next != null) {
                LockSupport.unpark(next.waiter);
            }
        } finally {
            lock.unlock();
        }
    }

    /** Fails every queued write and refuses new ones; a batch already running finishes. */
    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
            for (PendingWrite<?> w; (w = queue.poll()) != null; ) {
                w.fail(closedError());
                w.complete(null);
            }
        } finally {
            lock.unlock();
        }
    }

    private KvException closedError() {
        return new KvException("the embedded store " + db.file() + " is closed");
    }
}
