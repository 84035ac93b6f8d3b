package dev.berth.kv.embedded;

import dev.berth.kv.KeyValue;
import dev.berth.kv.KvException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The SQL of the embedded store, one statement per method; callers hold a transaction. */
final class Rows {
    static final int PUT = 0;
    static final int DELETE = 1;
    /** Keys hold only ASCII below DEL (see {@link dev.berth.kv.Keys}), so prefix + DEL bounds a prefix range. */
    private static final String PREFIX_END = "\u007f";

    private Rows() {
    }

    static long nextRevision(Connection c) throws SQLException {
        try (Statements.Cached s = Statements.prepare(c, 
                "UPDATE meta SET value = value + 1 WHERE name = 'revision' RETURNING value");
             ResultSet r = s.executeQuery()) {
            r.next();
            return r.getLong(1);
        }
    }

    static long meta(Connection c, String name) throws SQLException {
        try (Statements.Cached s = Statements.prepare(c, "SELECT value FROM meta WHERE name = ?")) {
            s.setString(1, name);
            try (ResultSet r = s.executeQuery()) {
                return r.next() ? r.getLong(1) : 0;
            }
        }
    }

    static Optional<KeyValue> get(Connection c, String key) throws SQLException {
        try (Statements.Cached s = Statements.prepare(c, 
                "SELECT key, value, create_rev, mod_rev, lease FROM kv WHERE key = ?")) {
            s.setString(1, key);
            try (ResultSet r = s.executeQuery()) {
                return r.next() ? Optional.of(entry(r)) : Optional.empty();
            }
        }
    }

    static List<KeyValue> list(Connection c, String prefix) throws SQLException {
        try (Statements.Cached s = Statements.prepare(c, "SELECT key, value, create_rev, mod_rev, lease FROM kv "
                + "WHERE key >= ? AND key < ? ORDER BY key")) {
            s.setString(1, prefix);
            s.setString(2, prefix + PREFIX_END);
            return entries(s);
        }
    }

    /** Writes key at a new revision (keeping its create revision if it existed) and logs the change. */
    static long upsert(Connection c, String key, byte[] value, long lease, Optional<KeyValue> existing)
            throws SQLException {
        if (lease != 0) {
            requireLease(c, lease);
        }
        long rev = nextRevision(c);
        long created = existing.map(KeyValue::createRevision).orElse(rev);
        try (Statements.Cached s = Statements.prepare(c, "INSERT INTO kv(key, value, create_rev, mod_rev, lease) "
                + "VALUES(?, ?, ?, ?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value, "
                + "mod_rev = excluded.mod_rev, lease = excluded.lease")) {
            s.setString(1, key);
            s.setBytes(2, value);
            s.setLong(3, created);
            s.setLong(4, rev);
            s.setLong(5, lease);
            s.executeUpdate();
        }
        logChange(c, rev, key, PUT, value, created, lease);
        return rev;
    }

    /** Deletes an existing key at a new revision and logs the change. */
    static long remove(Connection c, KeyValue existing) throws SQLException {
        long rev = nextRevision(c);
        try (Statements.Cached s = Statements.prepare(c, "DELETE FROM kv WHERE key = ?")) {
            s.setString(1, existing.key());
            s.executeUpdate();
        }
        logChange(c, rev, existing.key(), DELETE, null, existing.createRevision(), existing.leaseId());
        return rev;
    }

    static List<KeyValue> keysOfLease(Connection c, long lease) throws SQLException {
        try (Statements.Cached s = Statements.prepare(c, 
                "SELECT key, value, create_rev, mod_rev, lease FROM kv WHERE lease = ? ORDER BY key")) {
            s.setLong(1, lease);
            return entries(s);
        }
    }

    private static void requireLease(Connection c, long lease) throws SQLException {
        try (Statements.Cached s = Statements.prepare(c, "SELECT expires_ms FROM leases WHERE id = ?")) {
            s.setLong(1, lease);
            try (ResultSet r = s.executeQuery()) {
                if (!r.next() || r.getLong(1) < System.currentTimeMillis()) {
                    throw new KvException("lease " + lease + " has ended");
                }
            }
        }
    }

    private static void logChange(Connection c, long rev, String key, int type, byte[] value, long created,
                                  long lease) throws SQLException {
        try (Statements.Cached s = Statements.prepare(c, 
                "INSERT INTO changes(rev, key, type, value, create_rev, lease) VALUES(?, ?, ?, ?, ?, ?)")) {
            s.setLong(1, rev);
            s.setString(2, key);
            s.setInt(3, type);
            s.setBytes(4, value);
            s.setLong(5, created);
            s.setLong(6, lease);
            s.executeUpdate();
        }
    }

    /** Drops change-log rows older than keep revisions; records the new compaction point. */
    static void compact(Connection c, long keep) throws SQLException {
        long rev = meta(c, "revision");
        long below = rev - keep;
        if (below <= meta(c, "compacted")) {
            return;
        }
        try (Statements.Cached s = Statements.prepare(c, "DELETE FROM changes WHERE rev <= ?")) {
            s.setLong(1, below);
            s.executeUpdate();
        }
        try (Statements.Cached s = Statements.prepare(c, "UPDATE meta SET value = ? WHERE name = 'compacted'")) {
            s.setLong(1, below);
            s.executeUpdate();
        }
    }

    private static List<KeyValue> entries(Statements.Cached s) throws SQLException {
        List<KeyValue> out = new ArrayList<>();
        try (ResultSet r = s.executeQuery()) {
            while (r.next()) {
                out.add(entry(r));
            }
        }
        return out;
    }

    private static KeyValue entry(ResultSet r) throws SQLException {
        byte[] v = r.getBytes(2);
        return new KeyValue(r.getString(1), v == null ? new byte[0] : v, r.getLong(3), r.getLong(4), r.getLong(5));
    }
}
