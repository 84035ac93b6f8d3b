package dev.berth.bench.overlayscale;

import dev.berth.kv.KeyValue;
import dev.berth.kv.KvStore;
import dev.berth.kv.Lease;
import dev.berth.kv.Listing;
import dev.berth.kv.Watch;
import dev.berth.kv.WatchListener;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;

/**
 * A store that counts the calls made through it, by kind, and passes them on. Every call is counted once, whether
 * it succeeded or not (a create that finds the key taken is still a transaction the store had to order). Lease
 * keep-alives are made by the backend's own scheduler below this interface, so they are not seen here: the
 * benchmark reads them from etcd's metrics instead.
 */
public final class CountingKvStore implements KvStore {
    /** What a call does to the store. */
    public enum Kind {
        PUT(true), CREATE(true), COMPARE_AND_SET(true), COMPARE_AND_DELETE(true), DELETE(true),
        GET(false), LIST(false), WATCH(false), GRANT_LEASE(false);

        public final boolean write;

        Kind(boolean write) {
            this.write = write;
        }
    }

    private final KvStore inner;
    private final Map<Kind, LongAdder> counts = new EnumMap<>(Kind.class);

    public CountingKvStore(KvStore inner) {
        this.inner = inner;
        for (Kind k : Kind.values()) {
            counts.put(k, new LongAdder());
        }
    }

    /** The counts so far. */
    public Counts counts() {
        long[] c = new long[Kind.values().length];
        for (Kind k : Kind.values()) {
            c[k.ordinal()] = counts.get(k).sum();
        }
        return new Counts(c);
    }

    /** A snapshot of call counts, by {@link Kind}; subtract two to get a phase's calls. */
    public record Counts(long[] byKind) {
        public static Counts zero() {
            return new Counts(new long[Kind.values().length]);
        }

        public long get(Kind k) {
            return byKind[k.ordinal()];
        }

        public long writes() {
            long sum = 0;
            for (Kind k : Kind.values()) {
                sum += k.write ? get(k) : 0;
            }
            return sum;
        }

        public long reads() {
            return get(Kind.GET) + get(Kind.LIST);
        }

        public Counts plus(Counts o) {
            long[] c = byKind.clone();
            for (int i = 0; i < c.length; i++) {
                c[i] += o.byKind[i];
            }
            return new Counts(c);
        }

        public Counts minus(Counts o) {
            long[] c = byKind.clone();
            for (int i = 0; i < c.length; i++) {
                c[i] -= o.byKind[i];
            }
            return new Counts(c);
        }
    }

    private void count(Kind k) {
        counts.get(k).increment();
    }

    @Override
    public Optional<KeyValue> get(String key) {
        count(Kind.GET);
        return inner.get(key);
    }

    @Override
    public long put(String key, byte[] value) {
        count(Kind.PUT);
        return inner.put(key, value);
    }

    @Override
    public long put(String key, byte[] value, Lease lease) {
        count(Kind.PUT);
        return inner.put(key, value, lease);
    }

    @Override
    public Optional<Long> create(String key, byte[] value) {
        count(Kind.CREATE);
        return inner.create(key, value);
    }

    @Override
    public Optional<Long> create(String key, byte[] value, Lease lease) {
        count(Kind.CREATE);
        return inner.create(key, value, lease);
    }

    @Override
    public Optional<Long> compareAndSet(String key, long expectedModRevision, byte[] value) {
        count(Kind.COMPARE_AND_SET);
        return inner.compareAndSet(key, expectedModRevision, value);
    }

    @Override
    public boolean compareAndDelete(String key, long expectedModRevision) {
        count(Kind.COMPARE_AND_DELETE);
        return inner.compareAndDelete(key, expectedModRevision);
    }

    @Override
    public boolean delete(String key) {
        count(Kind.DELETE);
        return inner.delete(key);
    }

    @Override
    public Listing list(String prefix) {
        count(Kind.LIST);
        return inner.list(prefix);
    }

    @Override
    public Watch watch(String prefix, long afterRevision, WatchListener listener) {
        count(Kind.WATCH);
        return inner.watch(prefix, afterRevision, listener);
    }

    @Override
    public Lease grantLease(Duration ttl) {
        count(Kind.GRANT_LEASE);
        return inner.grantLease(ttl);
    }

    @Override
    public Optional<String> problem() {
        return inner.problem();
    }

    @Override
    public void close() {
        inner.close();
    }
}
