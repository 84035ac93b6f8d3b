package dev.berth.kv.consul;

import dev.berth.kv.KeyValue;
import dev.berth.kv.KvException;
import dev.berth.kv.KvUnavailableException;
import dev.berth.kv.Watch;
import dev.berth.kv.WatchEvent;
import dev.berth.kv.WatchListener;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A watch is a loop of blocking queries on its prefix ({@code ?recurse&index=N&wait=30s}); each answer goes through
 * {@link SnapshotDiff}, whose events are handed to the listener on this watch's one thread. What it delivers, and
 * what it cannot see (several writes of a key between two answers come out as one PUT), is said there.
 *
 * <p>While the agent cannot be reached the watch keeps asking (it logs once); when it answers again the diff against
 * the last answer gives what changed meanwhile, so an outage adds no loss beyond the coalescing above. A listener that
 * throws, or an answer the watch cannot read, ends the watch with {@link WatchListener#onError}.
 */
final class ConsulWatch implements Watch {
    private static final Logger LOG = LoggerFactory.getLogger(ConsulWatch.class);

    private final ConsulHttp http;
    private final ConsulConfig config;
    private final String prefix;
    private final SnapshotDiff diff;
    private final WatchListener listener;
    private final Consumer<ConsulWatch> onEnd;
    private final Thread thread;
    private volatile boolean active = true;

    ConsulWatch(ConsulHttp http, ConsulConfig config, String prefix, long afterRevision, SnapshotDiff.Snapshot baseline,
                WatchListener listener, Consumer<ConsulWatch> onEnd) {
        this.http = http;
        this.config = config;
        this.prefix = prefix;
        this.diff = new SnapshotDiff(afterRevision, baseline);
        this.listener = listener;
        this.onEnd = onEnd;
        this.thread = new Thread(this::run, "berth-consul-watch " + config.fullKey(prefix));
        thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    @Override
    public boolean isActive() {
        return active;
    }

    /** Stops deliveries; the blocking query in flight is abandoned (the thread is not waited for beyond it). */
    @Override
    public void close() {
        active = false;
        thread.interrupt();
        if (Thread.currentThread() != thread) {
            try {
                thread.join(config.callTimeout().toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        onEnd.accept(this);
    }

    private void run() {
        boolean waiting = false;
        Duration budget = config.watchWait().plus(config.watchWait().dividedBy(16)).plus(config.callTimeout());
        while (active) {
            try {
                ConsulHttp.Answer a = http.read(ConsulApi.blockingList(config.fullKey(prefix), diff.nextIndex(),
                        config.watchWait()), budget);
                if (waiting) {
                    waiting = false;
                    LOG.info("watch of '{}' on {} resumed", prefix, config);
                }
                if (a.index() < 0) {
                    throw new KvException("Consul answered a blocking query without X-Consul-Index");
                }
                Map<String, KeyValue> entries = ConsulStore.entriesUnder(config, prefix, a);
                SnapshotDiff.Step step = diff.accept(a.index(), entries);
                if (!active) {
                    return;
                }
                if (step.reset() != null) {
                    end();
                    listener.onReset(step.reset());
                    return;
                }
                if (!step.events().isEmpty()) {
                    deliver(step.events());
                }
            } catch (KvUnavailableException e) {
                if (!active) {
                    return;
                }
                if (!waiting) {
                    waiting = true;
                    LOG.warn("watch of '{}' on {} waits for the agent: {}", prefix, config, e.getMessage());
                }
                pause();
            } catch (KvException e) {
                if (active) {
                    end();
                    listener.onError(e);
                }
                return;
            }
        }
    }

    private void deliver(List<WatchEvent> events) {
        try {
            listener.onEvents(events);
        } catch (RuntimeException e) {
            end();
            listener.onError(new KvException("the listener of the watch of " + prefix + " threw: " + e, e));
        }
    }

    private void pause() {
        try {
            Thread.sleep(1000);
        } catch (InterruptedException e) {
            active = false;
        }
    }

    private void end() {
        active = false;
        onEnd.accept(this);
    }
}
