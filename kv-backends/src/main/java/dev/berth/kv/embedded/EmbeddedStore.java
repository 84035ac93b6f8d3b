package dev.berth.kv.embedded;

import dev.berth.kv.KeyValue;
import dev.berth.kv.Keys;
import dev.berth.kv.KvException;
import dev.berth.kv.KvOptions;
import dev.berth.kv.KvStore;
import dev.berth.kv.KvUrl;
import dev.berth.kv.Lease;
import dev.berth.kv.Listing;
import dev.berth.kv.Watch;
import dev.berth.kv.WatchListener;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Optional;

/**
 * The store for a single host, with no service to run: SQLite (WAL mode) in a host directory that every plugin
 * process mounts. Several processes share it safely (SQLite's file locking); watches work across them (the change
 * log, see {@link ChangeFeed}); an acknowledged write survives {@code kill -9} (and, with the default
 * {@code sync=full}, a machine crash). Concurrent writes of one process share transactions and fsyncs
 * ({@link GroupCommit}), each keeping its own condition, revision and result.
 * URL: {@code embedded:///var/lib/berth/kv[?sync=normal&keep=100000]}.
 */
public final class EmbeddedStore implements KvStore {
    private static final long COMPACT_EVERY = 1_000;

    private final Path file;
    private final SqliteDb db;
    /** Reads use a connection of their own, so that they never queue behind a batch's fsync (WAL readers). */
    private final SqliteDb reader;
    private final GroupCommit writes;
    private final ChangeFeed feed;
    private final EmbeddedLeases leases;
    private final long keepChanges;
    private volatile boolean closed;

    private EmbeddedStore(Path dir, KvOptions options, boolean fullSync, long keepChanges) {
        try {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(
                    PosixFilePermissions.fromString("rwx------")));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the store directory " + dir + ": " + e.getMessage(), e);
        }
        this.file = dir.resolve("kv.db");
        this.keepChanges = keepChanges;
        this.db = new SqliteDb(file, options.callTimeout(), fullSync);
        this.reader = new SqliteDb(file, options.callTimeout(), fullSync);
        db.createSchema();
        this.writes = new GroupCommit(db, this::compactWhenDue);
        String name = dir.getFileName() == null ? "kv" : dir.getFileName().toString();
        this.feed = new ChangeFeed(new SqliteDb(file, options.callTimeout(), fullSync), name);
        this.leases = new EmbeddedLeases(db, writes, name);
    }

    public static EmbeddedStore open(KvUrl url) {
        if (!url.scheme().equals("embedded")) {
            throw new IllegalArgumentException("not an embedded store URL: " + url.scheme());
        }
        String sync = url.param("sync", "full");
        if (!sync.equals("full") && !sync.equals("normal")) {
            throw new IllegalArgumentException("sync must be full or normal, not " + sync);
        }
        long keep = Long.parseLong(url.param("keep", "100000"));
        return new EmbeddedStore(url.directory(), url.options(), sync.equals("full"), keep);
    }

    public static EmbeddedStore open(Path dir) {
        return new EmbeddedStore(dir, KvOptions.DEFAULTS, true, 100_000);
    }

    @Override
    public Optional<KeyValue> get(String key) {
        Keys.check(key);
        open();
        return reader.read(c -> Rows.get(c, key));
    }

    @Override
    public long put(String key, byte[] value) {
        return put(key, value, 0);
    }

    @Override
    public long put(String key, byte[] value, Lease lease) {
        return put(key, value, lease.id());
    }

    private long put(String key, byte[] value, long lease) {
        Keys.check(key);
        open();
        return write(c -> Rows.upsert(c, key, value, lease, Rows.get(c, key)));
    }

    @Override
    public Optional<Long> create(String key, byte[] value) {
        return create(key, value, 0);
    }

    @Override
    public Optional<Long> create(String key, byte[] value, Lease lease) {
        return create(key, value, lease.id());
    }

    private Optional<Long> create(String key, byte[] value, long lease) {
        Keys.check(key);
        open();
        return write(c -> {
            if (Rows.get(c, key).isPresent()) {
                return Optional.empty();
            }
            return Optional.of(Rows.upsert(c, key, value, lease, Optional.empty()));
        });
    }

    @Override
    public Optional<Long> compareAndSet(String key, long expectedModRevision, byte[] value) {
        Keys.check(key);
        open();
        return write(c -> {
            Optional<KeyValue> cur = Rows.get(c, key);
            if (cur.isEmpty() || cur.get().modRevision() != expectedModRevision) {
                return Optional.empty();
            }
            return Optional.of(Rows.upsert(c, key, value, cur.get().leaseId(), cur));
        });
    }

    @Override
    public boolean compareAndDelete(String key, long expectedModRevision) {
        Keys.check(key);
        open();
        return write(c -> {
            Optional<KeyValue> cur = Rows.get(c, key);
            if (cur.isEmpty() || cur.get().modRevision() != expectedModRevision) {
                return false;
            }
            Rows.remove(c, cur.get());
            return true;
        });
    }

    @Override
    public boolean delete(String key) {
        Keys.check(key);
        open();
        return write(c -> {
            Optional<KeyValue> cur = Rows.get(c, key);
            cur.ifPresent(kv -> {
                try {
                    Rows.remove(c, kv);
                } catch (SQLException e) {
                    throw new KvException("delete " + key + ": " + e.getMessage(), e);
                }
            });
            return cur.isPresent();
        });
    }

    @Override
    public Listing list(String prefix) {
        Keys.checkPrefix(prefix);
        open();
        return reader.read(c -> new Listing(Rows.list(c, prefix), Rows.meta(c, "revision")));
    }

    @Override
    public Watch watch(String prefix, long afterRevision, WatchListener listener) {
        Keys.checkPrefix(prefix);
        open();
        return feed.add(prefix, afterRevision, listener);
    }

    @Override
    public Lease grantLease(Duration ttl) {
        open();
        return leases.grant(ttl);
    }

    @Override
    public Optional<String> problem() {
        if (closed) {
            return Optional.of("closed");
        }
        try {
            reader.read(c -> Rows.meta(c, "revision"));
            return Optional.empty();
        } catch (KvException e) {
            return Optional.of(e.getMessage());
        }
    }

    /** Tests only: behave as if this process died (keep-alives stop; nothing is revoked or closed cleanly). */
    void abandon() {
        leases.abandon();
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        writes.close();
        leases.close();
        feed.close();
        reader.close();
        db.close();
    }

    /** Tests only: the group commit the writes go through. */
    GroupCommit groupCommit() {
        return writes;
    }

    /** Runs a write in a transaction shared with this process's concurrent writers ({@link GroupCommit}). */
    private <T> T write(SqliteDb.Work<T> work) {
        return writes.write(work);
    }

    /**
     * Trims the change log each time the revision passes a multiple of {@value #COMPACT_EVERY}, in the transaction of
     * the batch that passed it (a batch may move the revision by many at once).
     */
    private void compactWhenDue(Connection c, long revisionBefore, long revisionAfter) throws SQLException {
        if (revisionAfter / COMPACT_EVERY != revisionBefore / COMPACT_EVERY) {
            Rows.compact(c, keepChanges);
        }
    }

    private void open() {
        if (closed) {
            throw new KvException("the embedded store " + file + " is closed");
        }
    }
}
