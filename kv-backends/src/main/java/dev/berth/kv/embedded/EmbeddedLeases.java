package dev.berth.kv.embedded;

import dev.berth.kv.KeyValue;
import dev.berth.kv.KvException;
import dev.berth.kv.Lease;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Leases of the embedded store. A lease is a row with a deadline on the host's wall clock; its owner pushes the
 * deadline forward every TTL/3. Every open store (in any process on the host) reaps leases whose deadline passed,
 * deleting their keys through the change log, so a process killed with -9 loses its keys within about the TTL as long
 * as any Berth process on the host has the store open (and at the latest when the next one opens it).
 */
final class EmbeddedLeases implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedLeases.class);
    private static final long REAP_EVERY_MS = 250;

    private final SqliteDb db;
    private final GroupCommit writes;
    private final ScheduledExecutorService scheduler;

    /** Reads go to db; writes go through the store's group commit, shared with the key writes. */
    EmbeddedLeases(SqliteDb db, GroupCommit writes, String name) {
        this.db = db;
        this.writes = writes;
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "berth-kv-leases-" + name);
            t.setDaemon(true);
            return t;
        });
        scheduler.scheduleWithFixedDelay(this::reapQuietly, 0, REAP_EVERY_MS, TimeUnit.MILLISECONDS);
    }

    Lease grant(Duration ttl) {
        if (ttl.toMillis() < 500) {
            throw new IllegalArgumentException("a lease TTL must be at least 500 ms");
        }
        long id = writes.write(c -> {
            try (Statements.Cached s = Statements.prepare(c, 
                    "INSERT INTO leases(ttl_ms, expires_ms) VALUES(?, ?) RETURNING id")) {
                s.setLong(1, ttl.toMillis());
                s.setLong(2, System.currentTimeMillis() + ttl.toMillis());
                try (ResultSet r = s.executeQuery()) {
                    r.next();
                    return r.getLong(1);
                }
            }
        });
        EmbeddedLease lease = new EmbeddedLease(id, ttl);
        long every = Math.max(100, ttl.toMillis() / 3);
        lease.keepAlive = scheduler.scheduleWithFixedDelay(lease::renew, every, every, TimeUnit.MILLISECONDS);
        return lease;
    }

    /** Deletes every lease whose deadline has passed, and its keys (logged, so watches see the deletions). */
    int reap() {
        long now = System.currentTimeMillis();
        List<Long> expired = db.read(c -> {
            List<Long> ids = new ArrayList<>();
            try (Statements.Cached s = Statements.prepare(c, "SELECT id FROM leases WHERE expires_ms < ? LIMIT 100")) {
                s.setLong(1, now);
                try (ResultSet r = s.executeQuery()) {
                    while (r.next()) {
                        ids.add(r.getLong(1));
                    }
                }
            }
            return ids;
        });
        for (long id : expired) {
            writes.write(c -> {
                try (Statements.Cached s = Statements.prepare(c, "SELECT 1 FROM leases WHERE id = ? AND expires_ms < ?")) {
                    s.setLong(1, id);
                    s.setLong(2, System.currentTimeMillis());
                    try (ResultSet r = s.executeQuery()) {
                        if (!r.next()) {
                            return null; // renewed or reaped by someone else meanwhile
                        }
                    }
                }
                end(c, id);
                return null;
            });
        }
        return expired.size();
    }

    private void reapQuietly() {
        try {
            reap();
        } catch (KvException e) {
            LOG.debug("lease reaper: {}", e.getMessage());
        }
    }

    private static void end(java.sql.Connection c, long id) throws java.sql.SQLException {
        for (KeyValue kv : Rows.keysOfLease(c, id)) {
            Rows.remove(c, kv);
        }
        try (Statement s = c.createStatement()) {
            s.execute("DELETE FROM leases WHERE id = " + id);
        }
    }

    /** Simulates the death of this process for tests: keep-alives stop, nothing is revoked. */
    void abandon() {
        scheduler.shutdownNow();
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
    }

    private final class EmbeddedLease implements Lease {
        private final long id;
        private final Duration ttl;
        private final AtomicBoolean alive = new AtomicBoolean(true);
        private volatile long renewedAt = System.currentTimeMillis();
        volatile ScheduledFuture<?> keepAlive;

        EmbeddedLease(long id, Duration ttl) {
            this.id = id;
            this.ttl = ttl;
        }

        void renew() {
            long now = System.currentTimeMillis();
            try {
                int rows = writes.write(c -> {
                    try (Statements.Cached s = Statements.prepare(c, "UPDATE leases SET expires_ms = ? WHERE id = ?")) {
                        s.setLong(1, now + ttl.toMillis());
                        s.setLong(2, id);
                        return s.executeUpdate();
                    }
                });
                if (rows == 0) {
                    ended();
                } else {
                    renewedAt = now;
                }
            } catch (KvException e) {
                // a busy store: keep trying until the deadline we last set has passed
                if (now - renewedAt > ttl.toMillis()) {
                    ended();
                }
            }
        }

        private void ended() {
            alive.set(false);
            ScheduledFuture<?> f = keepAlive;
            if (f != null) {
                f.cancel(false);
            }
        }

        @Override
        public long id() {
            return id;
        }

        @Override
        public Duration ttl() {
            return ttl;
        }

        @Override
        public boolean isAlive() {
            return alive.get() && System.currentTimeMillis() - renewedAt <= ttl.toMillis();
        }

        @Override
        public void close() {
            if (!alive.getAndSet(false)) {
                return;
            }
            ScheduledFuture<?> f = keepAlive;
            if (f != null) {
                f.cancel(false);
            }
            writes.write(c -> {
                end(c, id);
                return null;
            });
        }
    }
}
