package dev.berth.kv;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/** Collects a watch's deliveries for assertions. */
public final class RecordingListener implements WatchListener {
    private final List<WatchEvent> events = new ArrayList<>();
    public final AtomicInteger resets = new AtomicInteger();
    public final AtomicReference<ResetReason> lastReset = new AtomicReference<>();
    public final AtomicReference<KvException> error = new AtomicReference<>();

    @Override
    public synchronized void onEvents(List<WatchEvent> batch) {
        events.addAll(batch);
        notifyAll();
    }

    @Override
    public synchronized void onReset(ResetReason reason) {
        resets.incrementAndGet();
        lastReset.set(reason);
        notifyAll();
    }

    @Override
    public synchronized void onError(KvException e) {
        error.set(e);
        notifyAll();
    }

    public synchronized List<WatchEvent> events() {
        return List.copyOf(events);
    }

    /** Waits until at least n events arrived; fails with what did arrive otherwise. */
    public synchronized void awaitEvents(int n, Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (events.size() < n && error.get() == null) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("expected " + n + " events, got " + events.size() + ": "
                        + (events.size() > 20 ? events.subList(0, 20) + "..." : events));
            }
            wait(Math.max(1, left / 1_000_000));
        }
        if (error.get() != null) {
            throw new AssertionError("watch failed", error.get());
        }
    }

    /** Waits for a reset. */
    public synchronized void awaitReset(Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (resets.get() == 0) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("expected a reset, got none; events " + events.size());
            }
            wait(Math.max(1, left / 1_000_000));
        }
    }
}
