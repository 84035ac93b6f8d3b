package dev.berth.kv.embedded;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * Runs a batch of callers' writes as one SQLite write transaction, so that they share one COMMIT (one fsync), while
 * each keeps its own outcome.
 *
 * <p>The writes run one after the other in arrival order, each seeing the effects of those before it (so a create
 * finds a key an earlier create of the batch made, and a CAS sees the revision an earlier CAS produced); each takes
 * its own revision and change-log row, as it would alone.
 *
 * <p>Failure isolation: each write of a batch of several runs inside its own {@code SAVEPOINT}. If its body throws
 * (an SQL error, a lease that has ended), the savepoint is rolled back, so none of its partial changes stay, and only
 * that write fails; the others commit. If the transaction itself fails (BEGIN timed out, the savepoint cannot be
 * rolled back because SQLite already rolled everything back, COMMIT failed), nothing of the batch was committed and
 * every write in it fails with that error, as each would have alone. A batch of one runs without a savepoint: its
 * failure is the transaction's, exactly as before group commit.
 */
final class WriteBatch {
    /** Runs after the writes, in the same transaction, with the store revision before and after them. */
    interface AfterWrites {
        void run(Connection c, long revisionBefore, long revisionAfter) throws SQLException;
    }

    private WriteBatch() {
    }

    /** Runs the writes and commits; records each outcome in its {@link PendingWrite} but publishes none. */
    static void run(SqliteDb db, List<PendingWrite<?>> writes, AfterWrites after) {
        db.write(c -> {
            long before = Rows.meta(c, "revision");
            if (writes.size() == 1) {
                runAlone(c, writes.get(0));
            } else {
                try (Statement s = c.createStatement()) {
                    for (PendingWrite<?> w : writes) {
                        runIsolated(db, c, s, w);
                    }
                }
            }
            after.run(c, before, Rows.meta(c, "revision"));
            return null;
        });
    }

    private static <T> void runAlone(Connection c, PendingWrite<T> w) throws SQLException {
        w.succeed(w.work.run(c));
    }

    private static <T> void runIsolated(SqliteDb db, Connection c, Statement s, PendingWrite<T> w)
            throws SQLException {
        s.execute("SAVEPOINT write");
        T result;
        try {
            result = w.work.run(c);
        } catch (SQLException | RuntimeException e) {
            try {
                s.execute("ROLLBACK TO write");
                s.execute("RELEASE write");
            } catch (SQLException gone) {
                // SQLite already rolled the whole transaction back (I/O error, disk full): the batch fails with e
                e.addSuppressed(gone);
                throw e;
            }
            w.fail(e instanceof SQLException sql ? db.translate(sql) : (RuntimeException) e);
            return;
        }
        s.execute("RELEASE write");
        w.succeed(result);
    }
}
