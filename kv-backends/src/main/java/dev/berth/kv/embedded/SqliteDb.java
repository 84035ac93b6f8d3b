package dev.berth.kv.embedded;

import dev.berth.kv.KvException;
import dev.berth.kv.KvUnavailableException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One SQLite connection to the store file, used by one thread at a time. WAL mode lets readers in other processes go
 * on while one process writes; {@code synchronous=FULL} makes every acknowledged commit survive a crash of the process
 * and of the machine ({@code sync=normal} in the URL trades the latter for speed). Schema:
 *
 * <pre>
 * kv(key PRIMARY KEY, value, create_rev, mod_rev, lease)      the current state
 * changes(rev PRIMARY KEY, key, type, value, create_rev, lease) the change log that watches read (compacted)
 * meta(name PRIMARY KEY, value)                                 'revision', 'compacted'
 * leases(id PRIMARY KEY, ttl_ms, expires_ms)                    leases and their deadlines (wall clock, one host)
 * </pre>
 */
final class SqliteDb implements AutoCloseable {
    private final Connection connection;
    private final ReentrantLock lock = new ReentrantLock(true);
    private final Duration timeout;
    private final Path file;
    private static final int SQLITE_BUSY_MS = 5;

    /** The body of a transaction; SQL errors inside become store errors. */
    interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    SqliteDb(Path file, Duration timeout, boolean fullSync) {
        this.file = file;
        this.timeout = timeout;
        try {
            connection = DriverManager.getConnection("jdbc:sqlite:" + file);
            connection.setAutoCommit(true);
            try (Statement s = connection.createStatement()) {
                // SQLite's own busy handler sleeps up to 100 ms between tries, so a writer in another process that
                // commits back to back can starve it; we wait only briefly here and retry BEGIN ourselves (begin()).
                s.execute("PRAGMA busy_timeout=" + SQLITE_BUSY_MS);
                s.execute("PRAGMA journal_mode=WAL");
                s.execute("PRAGMA synchronous=" + (fullSync ? "FULL" : "NORMAL"));
                s.execute("PRAGMA foreign_keys=OFF");
            }
        } catch (SQLException e) {
            throw new KvUnavailableException("cannot open the embedded store " + file + ": " + e.getMessage(), e);
        }
    }

    void createSchema() {
        write(c -> {
            try (Statement s = c.createStatement()) {
                s.execute("CREATE TABLE IF NOT EXISTS kv(key TEXT PRIMARY KEY, value BLOB NOT NULL, "
                        + "create_rev INTEGER NOT NULL, mod_rev INTEGER NOT NULL, lease INTEGER NOT NULL DEFAULT 0) "
                        + "WITHOUT ROWID");
                s.execute("CREATE INDEX IF NOT EXISTS kv_by_lease ON kv(lease) WHERE lease <> 0");
                s.execute("CREATE TABLE IF NOT EXISTS changes(rev INTEGER PRIMARY KEY, key TEXT NOT NULL, "
                        + "type INTEGER NOT NULL, value BLOB, create_rev INTEGER NOT NULL, lease INTEGER NOT NULL)");
                s.execute("CREATE TABLE IF NOT EXISTS meta(name TEXT PRIMARY KEY, value INTEGER NOT NULL)");
                s.execute("INSERT OR IGNORE INTO meta(name, value) VALUES('revision', 0), ('compacted', 0)");
                s.execute("CREATE TABLE IF NOT EXISTS leases(id INTEGER PRIMARY KEY AUTOINCREMENT, "
                        + "ttl_ms INTEGER NOT NULL, expires_ms INTEGER NOT NULL)");
            }
            return null;
        });
    }

    /** Runs work in a write transaction (BEGIN IMMEDIATE: the file's write lock is taken first, waiting up to the timeout). */
    <T> T write(Work<T> work) {
        return transaction("BEGIN IMMEDIATE", work);
    }

    /** Runs work in a read transaction: one consistent snapshot of the file. */
    <T> T read(Work<T> work) {
        return transaction("BEGIN DEFERRED", work);
    }

    private <T> T transaction(String begin, Work<T> work) {
        acquire();
        try {
            if (connection.isClosed()) {
                throw new KvException("the embedded store " + file + " is closed");
            }
            begin(begin);
            try {
                T result = work.run(connection);
                try (Statements.Cached s = Statements.prepare(connection, "COMMIT")) {
                    s.execute();
                }
                return result;
            } catch (SQLException | RuntimeException e) {
                try (Statements.Cached s = Statements.prepare(connection, "ROLLBACK")) {
                    s.execute();
                } catch (SQLException ignored) {
                    // the transaction may already be gone (SQLite rolls back on some errors itself)
                }
                throw e;
            }
        } catch (SQLException e) {
            throw translate(e);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Starts a transaction, retrying while another process holds the write lock: short randomised pauses (tens to
     * hundreds of microseconds) until the call timeout, so that a busy neighbour cannot starve this process.
     */
    private void begin(String sql) throws SQLException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try (Statements.Cached s = Statements.prepare(connection, sql)) {
                s.execute();
                return;
            } catch (SQLException e) {
                if (!isBusy(e) || System.nanoTime() > deadline) {
                    throw e;
                }
                java.util.concurrent.locks.LockSupport.parkNanos(
                        java.util.concurrent.ThreadLocalRandom.current().nextLong(20_000, 300_000));
            }
        }
    }

    private static boolean isBusy(SQLException e) {
        String m = String.valueOf(e.getMessage());
        return m.contains("SQLITE_BUSY") || m.contains("database is locked");
    }

    private void acquire() {
        try {
            if (!lock.tryLock(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new KvUnavailableException("the embedded store " + file + " stayed busy for " + timeout.toMillis()
                        + " ms");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KvUnavailableException("interrupted while waiting for the embedded store", e);
        }
    }

    /** An SQL error as the store error callers see (busy: unavailable). */
    KvException translate(SQLException e) {
        String m = String.valueOf(e.getMessage());
        if (isBusy(e)) {
            return new KvUnavailableException("the embedded store " + file + " stayed locked by another process for "
                    + timeout.toMillis() + " ms", e);
        }
        return new KvException("embedded store " + file + ": " + m, e);
    }

    Duration timeout() {
        return timeout;
    }

    Path file() {
        return file;
    }

    boolean isClosed() {
        try {
            return connection.isClosed();
        } catch (SQLException e) {
            return true;
        }
    }

    @Override
    public void close() {
        lock.lock();
        try {
            Statements.forget(connection);
            connection.close();
        } catch (SQLException ignored) {
            // closing is best effort; the file stays consistent either way
        } finally {
            lock.unlock();
        }
    }
}
