package dev.berth.kv.zk;

import dev.berth.kv.log.LogEntry;
import dev.berth.kv.KvException;
import dev.berth.kv.KvUnavailableException;
import dev.berth.kv.Watch;
import dev.berth.kv.WatchEvent;
import dev.berth.kv.WatchListener;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.apache.zookeeper.Watcher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A watch is a reader of the log that never skips an entry: it keeps the next revision it owes the listener, reads the
 * entries from there up to the head (pipelined, up to {@value #BATCH} at a time), hands the ones under its prefix to the
 * listener as one batch, and when it has caught up sets a ZooKeeper watch on the one entry that does not exist yet
 * ({@code log/<next>}) and sleeps until it is created (or a second has passed: ZooKeeper's watches die with an
 * expired session, so the watch also polls).
 *
 * <p>Guarantees: every change with a revision above the starting one, in revision order, no gaps and no repeats,
 * across reconnects and session expiries (the log is persistent: after an outage the watch goes on from where it
 * was). It resets with COMPACTED only when the entry it needs was trimmed ({@code next < floor}), typically a watcher
 * that fell more than the log's retention behind. While ZooKeeper cannot be reached it retries and logs a warning; it
 * does not end, since it can still prove it misses nothing once the store is back. A listener that throws ends the
 * watch with {@link WatchListener#onError}. One thread per watch calls the listener.
 */
final class ZkWatch implements Watch {
    static final int BATCH = 256;
    private static final Logger LOG = LoggerFactory.getLogger(ZkWatch.class);
    private static final long POLL_MS = 1000;

    private final ZkCalls zk;
    private final ZkLayout layout;
    private final ZkWriter writer;
    private final String prefix;
    private final WatchListener listener;
    private final Consumer<ZkWatch> onEnd;
    private final Thread thread;
    private final Object signal = new Object();
    private final Watcher wake = event -> poke();
    private volatile boolean active = true;
    private boolean poked;
    private long next;

    ZkWatch(ZkCalls zk, ZkLayout layout, ZkWriter writer, String prefix, long afterRevision, WatchListener listener,
            Consumer<ZkWatch> onEnd) {
        this.zk = zk;
        this.layout = layout;
        this.writer = writer;
        this.prefix = prefix;
        this.listener = listener;
        this.onEnd = onEnd;
        this.next = Math.max(afterRevision, 0) + 1;
        this.thread = new Thread(this::run, "berth-zk-watch " + layout.root() + " " + prefix);
        thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    @Override
    public boolean isActive() {
        return active;
    }

    @Override
    public void close() {
        active = false;
        poke();
        if (Thread.currentThread() != thread) {
            try {
                thread.join(zk.timeout().toMillis() + 1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void poke() {
        synchronized (signal) {
            poked = true;
            signal.notifyAll();
        }
    }

    private void run() {
        boolean waiting = false;
        try {
            while (active) {
                try {
                    boolean progressed = step();
                    if (waiting) {
                        waiting = false;
                        LOG.info("watch of '{}' under {} resumed at revision {}", prefix, layout.root(), next);
                    }
                    if (!progressed) {
                        sleep();
                    }
                } catch (KvUnavailableException e) {
                    if (!waiting) {
                        waiting = true;
                        LOG.warn("watch of '{}' under {} waits for ZooKeeper (it will resume from revision {}): {}",
                                prefix, layout.root(), next, e.getMessage());
                    }
                    sleep();
                }
            }
        } catch (KvException e) {
            if (active && !zk.isClosed()) {
                end();
                listener.onError(e);
            }
        } catch (RuntimeException e) {
            if (active) {
                end();
                listener.onError(new KvException("watch of " + prefix + " failed", e));
            }
        } finally {
            end();
        }
    }

    /** Delivers what is there; false when caught up (the caller sleeps until poked). */
    private boolean step() {
        long deadline = zk.deadline();
        long head = writer.readHead(deadline);
        if (next > head) {
            if (zk.exists(layout.logPath(next), wake, deadline).isPresent()) {
                return true;
            }
            compacted(deadline);
            return false;
        }
        List<String> paths = new ArrayList<>();
        for (long r = next; r <= Math.min(head, next + BATCH - 1); r++) {
            paths.add(layout.logPath(r));
        }
        List<Optional<ZkCalls.Node>> nodes = zk.getDataAll(paths, deadline);
        List<WatchEvent> batch = new ArrayList<>();
        long upTo = next;
        for (int i = 0; i < nodes.size(); i++) {
            if (nodes.get(i).isEmpty()) {
                if (compacted(deadline)) {
                    return false;
                }
                break; // cannot be (entries up to the head exist unless trimmed): read again
            }
            LogEntry e = LogEntry.decode(paths.get(i), nodes.get(i).get().data());
            if (e.type() != LogEntry.Type.GENESIS && e.key().startsWith(prefix)) {
                batch.add(e.toEvent(upTo));
            }
            upTo++;
        }
        if (!batch.isEmpty() && active) {
            try {
                listener.onEvents(List.copyOf(batch));
            } catch (RuntimeException ex) {
                end();
                listener.onError(new KvException("the listener of the watch of " + prefix + " threw: " + ex, ex));
                return false;
            }
        }
        next = upTo;
        return true;
    }

    /** Whether {@code next} has been trimmed; if so the listener is told and the watch ends. */
    private boolean compacted(long deadline) {
        long floor = zk.getData(layout.floor(), null, deadline)
                .map(n -> ZkLayout.revisionOf(layout.floor(), n.data())).orElse(0L);
        if (next >= floor) {
            return false;
        }
        if (active) {
            end();
            listener.onReset(WatchListener.ResetReason.COMPACTED);
        }
        return true;
    }

    private void sleep() {
        synchronized (signal) {
            if (!poked && active) {
                try {
                    signal.wait(POLL_MS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    active = false;
                }
            }
            poked = false;
        }
    }

    private void end() {
        active = false;
        onEnd.accept(this);
    }
}
