package dev.berth.kv.log;

import dev.berth.kv.KeyValue;
import dev.berth.kv.Keys;
import dev.berth.kv.KvStore;
import dev.berth.kv.Lease;
import dev.berth.kv.Listing;
import java.util.Objects;
import java.util.Optional;

/**
 * What the log-based backends (ZooKeeper, Consul) share: every write of the SPI becomes one {@link Kind} applied
 * through the backend's logged write path, with the same argument checks. A backend supplies the write, the reads and
 * its lease bookkeeping.
 */
public abstract class LogStore implements KvStore {
    /** What {@link #apply} answers when the write's condition did not hold (nothing was written). */
    public static final long NOT_APPLIED = -1;

    /** The kinds of write; REAP deletes a dead lease's keys. */
    public enum Kind { PUT, CREATE, CAS, CAD, DELETE, REAP }

    /** Applies one write through the logged path; its revision, or {@link #NOT_APPLIED}. */
    protected abstract long apply(Kind kind, String key, byte[] value, long lease, long expectedModRevision);

    /** The id of a live lease this store granted; IllegalArgumentException or KvException otherwise. */
    protected abstract long leaseId(Lease lease);

    /** Throws a KvException once the store is closed. */
    protected abstract void ensureOpen();

    protected abstract Optional<KeyValue> read(String key);

    protected abstract Listing readPrefix(String prefix);

    @Override
    public final Optional<KeyValue> get(String key) {
        ensureOpen();
        return read(Keys.check(key));
    }

    @Override
    public final long put(String key, byte[] value) {
        return write(Kind.PUT, key, value, 0, 0);
    }

    @Override
    public final long put(String key, byte[] value, Lease lease) {
        return write(Kind.PUT, key, value, leaseId(lease), 0);
    }

    @Override
    public final Optional<Long> create(String key, byte[] value) {
        return applied(write(Kind.CREATE, key, value, 0, 0));
    }

    @Override
    public final Optional<Long> create(String key, byte[] value, Lease lease) {
        return applied(write(Kind.CREATE, key, value, leaseId(lease), 0));
    }

    /** The key keeps the lease it had, if any. */
    @Override
    public final Optional<Long> compareAndSet(String key, long expectedModRevision, byte[] value) {
        return applied(write(Kind.CAS, key, value, 0, expectedModRevision));
    }

    @Override
    public final boolean compareAndDelete(String key, long expectedModRevision) {
        return write(Kind.CAD, key, null, 0, expectedModRevision) != NOT_APPLIED;
    }

    @Override
    public final boolean delete(String key) {
        return write(Kind.DELETE, key, null, 0, 0) != NOT_APPLIED;
    }

    @Override
    public final Listing list(String prefix) {
        ensureOpen();
        return readPrefix(Keys.checkPrefix(prefix));
    }

    private long write(Kind kind, String key, byte[] value, long lease, long expected) {
        ensureOpen();
        Keys.check(key);
        if (kind == Kind.PUT || kind == Kind.CREATE || kind == Kind.CAS) {
            value = Objects.requireNonNull(value, "value").clone();
        }
        if ((kind == Kind.CAS || kind == Kind.CAD) && expected <= 0) {
            throw new IllegalArgumentException("an expected revision must be positive, not " + expected);
        }
        return apply(kind, key, value, lease, expected);
    }

    private static Optional<Long> applied(long revision) {
        return revision == NOT_APPLIED ? Optional.empty() : Optional.of(revision);
    }
}
