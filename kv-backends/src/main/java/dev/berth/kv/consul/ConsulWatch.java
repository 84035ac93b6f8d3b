package dev.berth.kv.consul;

import dev.berth.kv.KvException;
import dev.berth.kv.KvUnavailableException;
import dev.berth.kv.Watch;
import dev.berth.kv.WatchEvent;
import dev.berth.kv.WatchListener;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A watch is a reader of the log that never skips an entry: it keeps the next revision it owes the listener, reads
 * the entries from there up to the head (up to {@value #BATCH} at a time, {@link LogReader}), hands the ones under its
 * prefix to the listener as one batch, and when it has caught up waits in a blocking query on the head key
 * ({@code head?index=N&wait=30s}), which every write moves in the same transaction as it appends its entry. (The head
 * rather than {@code log/?keys}: one small entry per answer instead of the names of the whole retained log.)
 *
 * <p>Guarantees: every change with a revision above the starting one, in revision order, no gaps, no repeats, no
 * coalescing, across agent outages (the log is stored in Consul: after an outage the watch goes on from where it
 * was). It resets with COMPACTED only when the entry it needs was trimmed ({@code next <= floor}). An entry not yet
 * visible (a read answered by a server behind the one that took the write) is waited for, never skipped. While the
 * agent cannot be reached it retries and logs once; a listener that throws, or data Berth did not write, ends the
 * watch with {@link WatchListener#onError}. One thread per watch calls the listener.
 */
final class ConsulWatch implements Watch {
    static final int BATCH = 256;
    private static final Logger LOG = LoggerFactory.getLogger(ConsulWatch.class);

    private final KvCalls kv;
    private final ConsulLayout layout;
    private final ConsulWriter writer;
    private final LogReader log;
    private final String prefix;
    private final WatchListener listener;
    private final Consumer<ConsulWatch> onEnd;
    private final Thread thread;
    private volatile boolean active = true;
    private long next;
    private long headIndex;

    ConsulWatch(KvCalls kv, ConsulLayout layout, ConsulWriter writer, LogReader log, String prefix,
                long afterRevision, WatchListener listener, Consumer<ConsulWatch> onEnd) {
        this.kv = kv;
        this.layout = layout;
        this.writer = writer;
        this.log = log;
        this.prefix = prefix;
        this.listener = listener;
        this.onEnd = onEnd;
        this.next = Math.max(afterRevision, 0) + 1;
        this.thread = new Thread(this::run, "berth-consul-watch " + layout.keysDir() + prefix);
        thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    @Override
    public boolean isActive() {
        return active;
    }

    /** Stops deliveries; a blocking query in flight is abandoned (the thread is waited for at most a call timeout). */
    @Override
    public void close() {
        active = false;
        thread.interrupt();
        if (Thread.currentThread() != thread) {
            try {
                thread.join(kv.timeout().toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        onEnd.accept(this);
    }

    private void run() {
        boolean waiting = false;
        boolean caughtUp = false;
        while (active) {
            try {
                caughtUp = step(caughtUp);
                if (waiting) {
                    waiting = false;
                    LOG.info("watch of '{}' under {} resumed at revision {}", prefix, layout.keysDir(), next);
                }
            } catch (KvUnavailableException e) {
                if (!active) {
                    return;
                }
                if (!waiting) {
                    waiting = true;
                    LOG.warn("watch of '{}' under {} waits for the agent (it will resume from revision {}): {}",
                            prefix, layout.keysDir(), next, e.getMessage());
                }
                caughtUp = false;
                pause(1000);
            } catch (RuntimeException e) {
                if (active) {
                    end();
                    listener.onError(e instanceof KvException k ? k
                            : new KvException("watch of " + prefix + " failed", e));
                }
                return;
            }
        }
    }

    /** One round; true when caught up (the next round blocks on the head). */
    private boolean step(boolean caughtUp) {
        if (caughtUp && headIndex <= 0) {
            pause(1000); // no index to block on (Consul sent none): poll, gently
        }
        KvCalls.Read<Optional<KvEntry>> h = kv.get(layout.head(), caughtUp ? headIndex : 0);
        headIndex = h.index() < headIndex ? 0 : Math.max(h.index(), 0);
        if (!active) {
            return false;
        }
        long head = h.value().map(e -> ConsulLayout.parseCounter(e.key(), e.value())).orElse(0L);
        if (next > head) {
            return true;
        }
        List<LogReader.Entry> entries = log.read(next, Math.min(head, next + BATCH - 1));
        if (entries.isEmpty()) {
            if (next <= writer.readFloor()) {
                end();
                listener.onReset(WatchListener.ResetReason.COMPACTED);
            } else {
                pause(50); // below the head but not visible yet: wait for it, never skip it
            }
            return false;
        }
        List<WatchEvent> batch = new ArrayList<>();
        for (LogReader.Entry e : entries) {
            if (e.entry().key().startsWith(prefix)) {
                batch.add(e.entry().toEvent(e.revision()));
            }
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
        next = entries.get(entries.size() - 1).revision() + 1;
        return false;
    }

    private void pause(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            active = false;
        }
    }

    private void end() {
        active = false;
        onEnd.accept(this);
    }
}
