package dev.berth.kv;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An in-memory copy of everything under a prefix, kept current by list + watch, for readers that must not go to the
 * store per query (DNS answers, peer tables). When the store says a watch cannot continue (compaction, an outage it
 * could not bridge) the view lists again, tells its listener exactly what changed meanwhile, and watches on: never a
 * silent gap. While the store is unreachable it keeps serving the last snapshot and retries with backoff.
 */
public final class PrefixView implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PrefixView.class);

    /** Told about every change, on one thread, after the snapshot already reflects it. */
    public interface Listener {
        void onChange(List<WatchEvent> changes);

        /** The view could not reach the store (it keeps retrying); the snapshot may be stale meanwhile. */
        default void onStale(KvException error) {
        }
    }

    private final KvStore store;
    private final String prefix;
    private final Listener listener;
    private final ScheduledExecutorService worker;
    private volatile Map<String, KeyValue> snapshot = Map.of();
    /** The map behind {@link #snapshot}: copied (linear, it is sorted) and swapped, never changed in place. */
    private TreeMap<String, KeyValue> entries = new TreeMap<>();
    /** Watch batches not applied yet, in order; the worker applies all of them with one copy (guarded by itself). */
    private final List<WatchEvent> pending = new ArrayList<>();
    private boolean drainQueued;
    private volatile long revision;
    private volatile boolean closed;
    private Watch watch;
    private long backoffMs = 100;

    private PrefixView(KvStore store, String prefix, Listener listener) {
        this.store = store;
        this.prefix = Keys.checkPrefix(prefix);
        this.listener = listener;
        this.worker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "berth-kv-view-" + prefix);
            t.setDaemon(true);
            return t;
        });
    }

    /** Lists (synchronously, so the view is filled when this returns, or throws if the store is unreachable) and watches. */
    public static PrefixView start(KvStore store, String prefix, Listener listener) {
        PrefixView view = new PrefixView(store, prefix, listener);
        Listing first = store.list(prefix);
        view.apply(first, false);
        view.worker.execute(view::watchFromCurrent);
        return view;
    }

    /** The current entries by key (unmodifiable, sorted). */
    public Map<String, KeyValue> snapshot() {
        return snapshot;
    }

    /** The store revision the snapshot reflects. */
    public long revision() {
        return revision;
    }

    private void watchFromCurrent() {
        if (closed) {
            return;
        }
        watch = store.watch(prefix, revision, new WatchListener() {
            @Override
            public void onEvents(List<WatchEvent> events) {
                if (closed) {
                    return; // a late batch after close: nobody listens any more
                }
                synchronized (pending) {
                    pending.addAll(events);
                    if (drainQueued) {
                        return; // the queued drain takes these too: one copy of the map for all of them
                    }
                    drainQueued = true;
                }
                try {
                    worker.execute(PrefixView.this::drain);
                } catch (java.util.concurrent.RejectedExecutionException closing) {
                    // closed between the check above and here
                }
            }

            @Override
            public void onReset(ResetReason reason) {
                LOG.info("view of {}: watch reset ({}), listing again", prefix, reason);
                worker.execute(PrefixView.this::relist);
            }

            @Override
            public void onError(KvException error) {
                listener.onStale(error);
                worker.execute(PrefixView.this::relist);
            }
        });
    }

    /**
     * Applies every batch that arrived since the last drain at once. A copy of the map per batch made a burst of k
     * changes to a prefix of n keys cost k copies of n (O(n^2) for a burst the size of the prefix); while the worker
     * keeps up there is still one copy per batch, and when it falls behind the batches merge instead of queueing.
     */
    private void drain() {
        List<WatchEvent> events;
        synchronized (pending) {
            events = new ArrayList<>(pending);
            pending.clear();
            drainQueued = false;
        }
        applyEvents(events);
    }

    private void applyEvents(List<WatchEvent> events) {
        TreeMap<String, KeyValue> next = new TreeMap<>(entries);
        List<WatchEvent> applied = new ArrayList<>();
        for (WatchEvent e : events) {
            if (e.revision() <= revision) {
                continue;
            }
            if (e.type() == WatchEvent.Type.PUT) {
                next.put(e.key(), e.entry());
            } else {
                next.remove(e.key());
            }
            revision = e.revision();
            applied.add(e);
        }
        if (!applied.isEmpty()) {
            entries = next;
            snapshot = Collections.unmodifiableMap(next);
            listener.onChange(applied);
        }
    }

    /** Lists again after a reset; reports the difference as events at the listing's revision. */
    private void relist() {
        if (closed) {
            return;
        }
        if (watch != null) {
            watch.close();
        }
        try {
            apply(store.list(prefix), true);
            backoffMs = 100;
            watchFromCurrent();
        } catch (KvException e) {
            listener.onStale(e);
            backoffMs = Math.min(backoffMs * 2, 10_000);
            worker.schedule(this::relist, backoffMs, TimeUnit.MILLISECONDS);
        }
    }

    private void apply(Listing listing, boolean notify) {
        TreeMap<String, KeyValue> next = new TreeMap<>();
        listing.entries().forEach(kv -> next.put(kv.key(), kv));
        List<WatchEvent> diff = new ArrayList<>();
        for (KeyValue kv : next.values()) {
            KeyValue old = snapshot.get(kv.key());
            if (old == null || old.modRevision() != kv.modRevision()) {
                diff.add(new WatchEvent(WatchEvent.Type.PUT, kv, listing.revision()));
            }
        }
        for (KeyValue old : snapshot.values()) {
            if (!next.containsKey(old.key())) {
                diff.add(new WatchEvent(WatchEvent.Type.DELETE,
                        new KeyValue(old.key(), new byte[0], old.createRevision(), listing.revision(), old.leaseId()),
                        listing.revision()));
            }
        }
        entries = next;
        snapshot = Collections.unmodifiableMap(next);
        revision = listing.revision();
        if (notify && !diff.isEmpty()) {
            listener.onChange(diff);
        }
    }

    /** Stops watching; idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        worker.execute(() -> {
            if (watch != null) {
                watch.close();
            }
        });
        worker.shutdown();
        try {
            worker.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
