package dev.berth.kv.embedded;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * Prepared statements kept per connection: SQLite compiles a statement in about as long as it takes to run a small
 * one, and the store runs the same dozen statements all the time. A connection is used by one thread at a time (its
 * {@link SqliteDb} lock), so each connection's statements need no lock of their own.
 */
final class Statements {
    private static final Map<Connection, Map<String, PreparedStatement>> CACHE =
            Collections.synchronizedMap(new WeakHashMap<>());

    private Statements() {
    }

    /** A cached statement; closing it clears its parameters and keeps it for the next use. */
    static final class Cached implements AutoCloseable {
        private final PreparedStatement s;

        private Cached(PreparedStatement s) {
            this.s = s;
        }

        void setString(int i, String v) throws SQLException {
            s.setString(i, v);
        }

        void setBytes(int i, byte[] v) throws SQLException {
            s.setBytes(i, v);
        }

        void setLong(int i, long v) throws SQLException {
            s.setLong(i, v);
        }

        void setInt(int i, int v) throws SQLException {
            s.setInt(i, v);
        }

        ResultSet executeQuery() throws SQLException {
            return s.executeQuery();
        }

        boolean execute() throws SQLException {
            return s.execute();
        }

        int executeUpdate() throws SQLException {
            return s.executeUpdate();
        }

        @Override
        public void close() throws SQLException {
            s.clearParameters();
        }
    }

    static Cached prepare(Connection c, String sql) throws SQLException {
        Map<String, PreparedStatement> mine = CACHE.computeIfAbsent(c, k -> new HashMap<>());
        PreparedStatement s = mine.get(sql);
        if (s == null || s.isClosed()) {
            s = c.prepareStatement(sql);
            mine.put(sql, s);
        }
        return new Cached(s);
    }

    /** Closes a connection's statements (before the connection closes). */
    static void forget(Connection c) {
        Map<String, PreparedStatement> mine = CACHE.remove(c);
        if (mine != null) {
            for (PreparedStatement s : mine.values()) {
                try {
                    s.close();
                } catch (SQLException ignored) {
                    // closing anyway
                }
            }
        }
    }
}
