package dev.berth.kv.embedded;

import dev.berth.kv.KeyValue;
import dev.berth.kv.KvException;
import dev.berth.kv.WatchEvent;
import dev.berth.kv.WatchListener;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Feeds the store's watches from the change log, across processes: one thread per open store polls SQLite's
 * {@code PRAGMA data_version} (which moves when any other connection, in any process, commits; it costs no disk read)
 * every 2 ms while changes flow and every 20 ms after a quiet second. On a change it reads the new log rows in
 * revision order and hands each watch the rows under its prefix. A watch whose starting revision is older than the
 * compaction point is reset.
 */
final class ChangeFeed implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ChangeFeed.class);
    private static final int BATCH = 5_000;
    /** Poll every 2 ms while changes flow; back off to 20 ms after a quiet second, so an idle plugin barely wakes. */
    private static final long BUSY_POLL_MS = 2;
    private static final long IDLE_POLL_MS = 20;
    private static final long QUIET_NANOS = 1_000_000_000L;

    private final SqliteDb db;
    private final List<EmbeddedWatch> watches = new CopyOnWriteArrayList<>();
    private final Thread thread;
    private volatile boolean closed;
    private volatile boolean dirty = true;
    private long dataVersion = Long.MIN_VALUE;
    private long lastChange = System.nanoTime();

    ChangeFeed(SqliteDb db, String name) {
        this.db = db;
        this.thread = new Thread(this::run, "berth-kv-feed-" + name);
        this.thread.setDaemon(true);
        this.thread.start();
    }

    EmbeddedWatch add(String prefix, long afterRevision, WatchListener listener) {
        EmbeddedWatch w = new EmbeddedWatch(prefix, afterRevision, listener, this);
        watches.add(w);
        dirty = true;
        synchronized (this) {
            notifyAll();
        }
        return w;
    }

    void remove(EmbeddedWatch w) {
        watches.remove(w);
    }

    private void run() {
        while (!closed) {
            try {
                if (watches.isEmpty()) {
                    synchronized (this) {
                        wait(100);
                    }
                    continue;
                }
                long v = db.read(c -> {
                    try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("PRAGMA data_version")) {
                        r.next();
                        return r.getLong(1);
                    }
                });
                if (v != dataVersion || dirty) {
                    dataVersion = v;
                    dirty = false;
                    lastChange = System.nanoTime();
                    deliver();
                }
                boolean quiet = System.nanoTime() - lastChange > QUIET_NANOS;
                Thread.sleep(quiet ? IDLE_POLL_MS : BUSY_POLL_MS);
            } catch (InterruptedException e) {
                return;
            } catch (KvException e) {
                if (closed) {
                    return;
                }
                LOG.warn("change feed: {}", e.getMessage());
                for (EmbeddedWatch w : watches) {
                    w.fail(e);
                }
            }
        }
    }

    /** Reads every new log row (in batches) and routes it to the watches that have not seen it. */
    private void deliver() {
        while (!watches.isEmpty()) {
            long from = watches.stream().mapToLong(EmbeddedWatch::cursor).min().orElse(Long.MAX_VALUE);
            Page page = db.read(c -> {
                long compacted = Rows.meta(c, "compacted");
                List<WatchEvent> events = new ArrayList<>();
                try (Statements.Cached s = Statements.prepare(c, "SELECT rev, key, type, value, create_rev, lease "
                        + "FROM changes WHERE rev > ? ORDER BY rev LIMIT " + BATCH)) {
                    s.setLong(1, Math.max(from, compacted));
                    try (ResultSet r = s.executeQuery()) {
                        while (r.next()) {
                            events.add(event(r));
                        }
                    }
                }
                return new Page(compacted, events, Rows.meta(c, "revision"));
            });
            for (EmbeddedWatch w : watches) {
                if (w.cursor() < page.compacted) {
                    w.reset(WatchListener.ResetReason.COMPACTED);
                    continue;
                }
                w.offer(page.events, page.events.isEmpty() ? page.revision : page.events.get(page.events.size() - 1)
                        .revision());
            }
            if (page.events.size() < BATCH) {
                return;
            }
        }
    }

    private static WatchEvent event(ResultSet r) throws SQLException {
        long rev = r.getLong(1);
        boolean put = r.getInt(3) == Rows.PUT;
        byte[] value = put ? r.getBytes(4) : new byte[0];
        KeyValue kv = new KeyValue(r.getString(2), value == null ? new byte[0] : value, r.getLong(5), rev,
                r.getLong(6));
        return new WatchEvent(put ? WatchEvent.Type.PUT : WatchEvent.Type.DELETE, kv, rev);
    }

    private record Page(long compacted, List<WatchEvent> events, long revision) {
    }

    @Override
    public void close() {
        closed = true;
        thread.interrupt();
        try {
            thread.join(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        watches.clear();
        db.close();
    }
}
