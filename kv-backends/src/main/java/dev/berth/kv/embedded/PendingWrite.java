package dev.berth.kv.embedded;

import dev.berth.kv.KvException;
import dev.berth.kv.KvOutcomeUnknownException;
import dev.berth.kv.KvUnavailableException;
import java.util.concurrent.locks.LockSupport;

/**
 * One caller's write waiting in {@link GroupCommit}: its transaction body, the thread waiting for it, and its outcome.
 * The outcome is recorded while the batch transaction runs ({@link #succeed}, {@link #fail}) but published to the
 * caller only by {@link #complete}, which the committer calls after the COMMIT has returned (or the batch failed): a
 * caller is never told "done" about a write that is not yet durable.
 */
final class PendingWrite<T> {
    /** Queued: not yet taken into a batch, so it may still be withdrawn (timeout, interrupt, close). */
    static final int QUEUED = 0;
    /** In a batch whose transaction is running: its outcome depends on that transaction's COMMIT. */
    static final int RUNNING = 1;
    static final int DONE = 2;

    final SqliteDb.Work<T> work;
    final Thread waiter;
    private volatile int state = QUEUED;
    private T value;
    private RuntimeException error;

    PendingWrite(SqliteDb.Work<T> work, Thread waiter) {
        this.work = work;
        this.waiter = waiter;
    }

    int state() {
        return state;
    }

    void running() {
        state = RUNNING;
    }

    /** The body ran (inside the batch transaction, not yet committed). */
    void succeed(T result) {
        value = result;
        error = null;
    }

    /** This write failed on its own (its savepoint was rolled back); the rest of the batch goes on. */
    void fail(RuntimeException e) {
        error = e;
    }

    boolean failed() {
        return error != null;
    }

    /**
     * Publishes the outcome and wakes the caller. {@code batchFailure} is non-null when the whole transaction failed
     * (BEGIN, COMMIT, an I/O error): then nothing of the batch was committed, and every write that had not already
     * failed on its own reports that failure.
     */
    void complete(RuntimeException batchFailure) {
        if (batchFailure != null && error == null) {
            error = batchFailure;
        }
        state = DONE;
        if (waiter != Thread.currentThread()) {
            LockSupport.unpark(waiter);
        }
    }

    /** The caller's view, once {@link #state()} is DONE: the result, or the failure rethrown on the caller's thread. */
    T result() {
        if (error == null) {
            return value;
        }
        // a new exception of the same kind, so the caller's stack shows up (the cause holds the committer's)
        if (error instanceof KvOutcomeUnknownException) {
            throw new KvOutcomeUnknownException(error.getMessage(), error);
        }
        if (error instanceof KvUnavailableException) {
            throw new KvUnavailableException(error.getMessage(), error);
        }
        if (error instanceof KvException) {
            throw new KvException(error.getMessage(), error);
        }
        throw error;
    }
}
