package dev.berth.kv.embedded;

import dev.berth.kv.KvException;
import dev.berth.kv.Watch;
import dev.berth.kv.WatchEvent;
import dev.berth.kv.WatchListener;
import java.util.ArrayList;
import java.util.List;

/** One watch of the embedded store: a prefix, a cursor (the last revision it has seen) and its listener. */
final class EmbeddedWatch implements Watch {
    private final String prefix;
    private final WatchListener listener;
    private final ChangeFeed feed;
    private volatile long cursor;
    private volatile boolean active = true;

    EmbeddedWatch(String prefix, long afterRevision, WatchListener listener, ChangeFeed feed) {
        this.prefix = prefix;
        this.cursor = afterRevision;
        this.listener = listener;
        this.feed = feed;
    }

    long cursor() {
        return cursor;
    }

    /** Called on the feed thread with rows in revision order, read up to {@code upTo}. */
    void offer(List<WatchEvent> rows, long upTo) {
        if (!active) {
            return;
        }
        List<WatchEvent> mine = new ArrayList<>();
        for (WatchEvent e : rows) {
            if (e.revision() > cursor && e.key().startsWith(prefix)) {
                mine.add(e);
            }
        }
        if (!mine.isEmpty()) {
            try {
                listener.onEvents(List.copyOf(mine));
            } catch (RuntimeException e) {
                fail(new KvException("watch listener failed: " + e, e));
                return;
            }
        }
        cursor = Math.max(cursor, upTo);
    }

    void reset(WatchListener.ResetReason reason) {
        if (end()) {
            listener.onReset(reason);
        }
    }

    void fail(KvException error) {
        if (end()) {
            listener.onError(error);
        }
    }

    private boolean end() {
        if (!active) {
            return false;
        }
        active = false;
        feed.remove(this);
        return true;
    }

    @Override
    public boolean isActive() {
        return active;
    }

    @Override
    public void close() {
        end();
    }
}
