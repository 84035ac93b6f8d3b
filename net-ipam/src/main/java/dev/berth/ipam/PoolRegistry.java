package dev.berth.ipam;

import dev.berth.host.error.ConflictException;
import dev.berth.host.error.UnavailableException;
import dev.berth.kv.KeyValue;
import dev.berth.kv.KvStore;
import dev.berth.kv.Listing;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pools of one space in the store, and the one way to join and leave them. Joining and leaving are
 * compare-and-set loops on the pool's key. Creating a pool that overlaps another is refused. Hosts creating or joining
 * overlapping pools at the same moment all check again once they hold theirs, and the holders of the later-created
 * pool (higher create revision) withdraw, so at most one of two overlapping pools survives.
 */
final class PoolRegistry {
    private static final Logger LOG = LoggerFactory.getLogger(PoolRegistry.class);
    private static final int ATTEMPTS = 32;

    private final KvStore store;
    private final Space space;

    /** A pool with the store entry it was read from. */
    record Entry(Cidr pool, PoolRecord record, KeyValue kv) {
    }

    PoolRegistry(KvStore store, Space space) {
        this.store = store;
        this.space = space;
    }

    Space space() {
        return space;
    }

    List<Entry> list() {
        Listing listing = store.list(StoreLayout.pools(space));
        List<Entry> out = new ArrayList<>();
        for (KeyValue kv : listing.entries()) {
            PoolRecord r = Records.decode(kv.key(), kv.value(), PoolRecord.class);
            out.add(new Entry(Cidr.parse(r.pool()), r, kv));
        }
        return out;
    }

    Optional<Entry> get(Cidr pool) {
        return store.get(StoreLayout.pool(space, pool)).map(kv -> new Entry(pool,
                Records.decode(kv.key(), kv.value(), PoolRecord.class), kv));
    }

    /**
     * Makes {@code host} a holder of {@code pool}, creating the pool if nobody has it. Refused when the pool overlaps
     * another pool of the space, or when this host already holds it (one network per pool and host).
     *
     * @param mustCreate for automatically chosen pools: only a new pool will do (empty when someone has it)
     */
    Optional<PoolRecord> join(Cidr pool, String host, PoolRecord.Holder holder, boolean mustCreate) {
        String key = StoreLayout.pool(space, pool);
        for (int i = 0; i < ATTEMPTS; i++) {
            Optional<Entry> current = get(pool);
            PoolRecord joined;
            long created;
            if (current.isEmpty()) {
                Optional<Entry> overlapping = overlapping(pool, list(), Long.MAX_VALUE);
                if (overlapping.isPresent()) {
                    if (mustCreate) {
                        return Optional.empty();
                    }
                    throw overlapError(pool, overlapping.get());
                }
                joined = new PoolRecord(pool.toString(), null).with(host, holder);
                Optional<Long> rev = store.create(key, Records.encode(joined));
                if (rev.isEmpty()) {
                    continue;
                }
                created = rev.get();
            } else {
                if (mustCreate) {
                    return Optional.empty();
                }
                Entry e = current.get();
                if (e.record().holders().containsKey(host)) {
                    throw new ConflictException("pool " + pool + " is already used by another network on this host");
                }
                joined = e.record().with(host, holder);
                if (store.compareAndSet(key, e.kv().modRevision(), Records.encode(joined)).isEmpty()) {
                    continue;
                }
                created = e.kv().createRevision();
            }
            Optional<Entry> earlier = overlapping(pool, list(), created);
            if (earlier.isPresent()) {
                // an overlapping pool was created just before this one: this one withdraws (all its joiners do)
                leave(pool, host).ifPresent(rev -> retire(pool, rev));
                if (mustCreate) {
                    return Optional.empty();
                }
                throw overlapError(pool, earlier.get());
            }
            return Optional.of(joined);
        }
        throw new UnavailableException("pool " + pool + " changed " + ATTEMPTS + " times while joining it; try again");
    }

    /** Removes host from the pool's holders; returns the store revision of the change if it left the pool empty. */
    Optional<Long> leave(Cidr pool, String host) {
        String key = StoreLayout.pool(space, pool);
        for (int i = 0; i < ATTEMPTS; i++) {
            Optional<Entry> current = get(pool);
            if (current.isEmpty() || !current.get().record().holders().containsKey(host)) {
                return Optional.empty();
            }
            PoolRecord next = current.get().record().without(host);
            Optional<Long> rev = store.compareAndSet(key, current.get().kv().modRevision(), Records.encode(next));
            if (rev.isPresent()) {
                return next.retiring() ? rev : Optional.empty();
            }
        }
        throw new UnavailableException("pool " + pool + " changed " + ATTEMPTS + " times while leaving it; try again");
    }

    /**
     * Deletes a pool nobody holds any more, with its address records written before it became empty. A host that
     * joined in the meantime keeps the pool (the delete is conditional) and its newer addresses (only older records go).
     */
    void retire(Cidr pool, long emptyRevision) {
        for (KeyValue kv : store.list(StoreLayout.addresses(space, pool)).entries()) {
            if (kv.modRevision() <= emptyRevision) {
                store.compareAndDelete(kv.key(), kv.modRevision());
            }
        }
        if (!store.compareAndDelete(StoreLayout.pool(space, pool), emptyRevision)) {
            LOG.info("pool {} was joined again while being retired; it stays", pool);
        }
    }

    /** An existing pool other than {@code pool} overlapping it, created before {@code beforeRevision}. */
    static Optional<Entry> overlapping(Cidr pool, List<Entry> pools, long beforeRevision) {
        return pools.stream()
                .filter(e -> !e.pool().equals(pool) && e.pool().overlaps(pool)
                        && e.kv().createRevision() < beforeRevision)
                .findFirst();
    }

    private ConflictException overlapError(Cidr pool, Entry other) {
        return new ConflictException("pool " + pool + " overlaps pool " + other.pool() + " of the " + space.keyName()
                + " address space" + (other.record().holders().isEmpty() ? ""
                : " (in use by hosts " + other.record().holders().keySet() + ")"));
    }
}
