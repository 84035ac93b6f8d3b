package dev.berth.ipam;

import dev.berth.host.error.BadRequestException;
import dev.berth.host.error.ConflictException;
import dev.berth.host.error.NotFoundException;
import dev.berth.host.error.UnavailableException;
import dev.berth.kv.KeyValue;
import dev.berth.kv.KvStore;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;
import java.util.zip.CRC32;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One address space as this host sees it: the pools it holds (each with an {@link AddressBook} as its local picture
 * and cursor) over the store that makes pools and addresses unique. For the global space the store is the cluster's;
 * for the local space it is this host's own. Address calls run concurrently (the store serialises the claims); pool
 * calls are serialised per host.
 */
final class SpaceAllocator {
    private static final Logger LOG = LoggerFactory.getLogger(SpaceAllocator.class);
    private static final int CLAIM_ATTEMPTS = 256;
    private static final int POOL_CANDIDATES = 1 << 20;

    private final Space space;
    private final KvStore store;
    private final PoolRegistry registry;
    private final AddressClaims claims;
    private final String hostId;
    private final Duration quarantine;
    private final Clock clock;
    private final DefaultPools defaults;
    private final Supplier<List<Cidr>> routes;
    private final Map<Cidr, Held> held = new ConcurrentHashMap<>();
    private final Object poolLock = new Object();
    private volatile boolean loaded;
    private volatile Supplier<List<Cidr>> otherSpacePools = List::of;

    /** A pool this host holds: Docker's ID for it and this host's book (guarded by itself). */
    record Held(PoolId id, AddressBook book) {
    }

    SpaceAllocator(Space space, KvStore store, String hostId, Duration quarantine, Clock clock, DefaultPools defaults,
                   Supplier<List<Cidr>> routes) {
        this.space = space;
        this.store = store;
        this.registry = new PoolRegistry(store, space);
        this.claims = new AddressClaims(store);
        this.hostId = hostId;
        this.quarantine = quarantine;
        this.clock = clock;
        this.defaults = defaults;
        this.routes = routes;
    }

    /** The pools this host holds in the other space: a pool here must not overlap them either (same host routing). */
    void otherSpace(Supplier<List<Cidr>> pools) {
        this.otherSpacePools = pools;
    }

    Space space() {
        return space;
    }

    KvStore store() {
        return store;
    }

    PoolRegistry registry() {
        return registry;
    }

    AddressClaims claims() {
        return claims;
    }

    String hostId() {
        return hostId;
    }

    /** The pools held here (loading them from the store on first use). */
    List<Held> held() {
        ensureLoaded();
        return List.copyOf(held.values());
    }

    List<Cidr> heldPools() {
        return loaded ? List.copyOf(held.keySet()) : List.of();
    }

    PoolId requestPool(Cidr pool, Cidr subPool, boolean v6) {
        ensureLoaded();
        synchronized (poolLock) {
            if (pool == null) {
                if (subPool != null) {
                    throw new BadRequestException("a SubPool needs a Pool");
                }
                return automaticPool(v6);
            }
            if (pool.isIpv6() != v6) {
                throw new BadRequestException("pool " + pool + " is " + (pool.isIpv6() ? "IPv6" : "IPv4")
                        + " but the request is for " + (v6 ? "IPv6" : "IPv4"));
            }
            PoolId id = poolId(pool, subPool);
            if (held.containsKey(pool)) {
                throw new ConflictException("pool " + pool + " is already used by another network on this host");
            }
            otherSpacePools.get().stream().filter(pool::overlaps).findFirst().ifPresent(other -> {
                throw new ConflictException("pool " + pool + " overlaps pool " + other + " that this host uses in the "
                        + (space == Space.LOCAL ? "global" : "local") + " address space");
            });
            registry.join(pool, hostId, holder(subPool), false);
            adopt(id);
            return id;
        }
    }

    void releasePool(PoolId id) {
        ensureLoaded();
        synchronized (poolLock) {
            heldPool(id);
            Instant now = clock.instant();
            for (KeyValue kv : store.list(StoreLayout.addresses(space, id.pool())).entries()) {
                AddressRecord r = Records.decode(kv.key(), kv.value(), AddressRecord.class);
                if (r.heldBy(hostId)) {
                    claims.release(kv.key(), hostId, now);
                }
            }
            registry.leave(id.pool(), hostId).ifPresent(rev -> registry.retire(id.pool(), rev));
            held.remove(id.pool());
        }
    }

    /**
     * Hands out an address of a held pool: the one asked for, the pool's gateway, or the next free one.
     *
     * @return the address with the pool's prefix length, as Docker wants it
     */
    String requestAddress(PoolId id, byte[] address, boolean gateway, String mac) {
        Held h = heldPool(id);
        Cidr pool = id.pool();
        if (address != null) {
            checkAssignable(h, address);
        }
        Instant now = clock.instant();
        if (gateway) {
            byte[] gw = address != null ? address : firstUsable(pool);
            checkAssignable(h, gw);
            claims.holdGateway(StoreLayout.address(space, pool, gw), hostId, now, token());
            synchronized (h.book()) {
                h.book().markTaken(gw);
            }
            return pool.withPrefix(gw);
        }
        if (address != null) {
            AddressClaims.Result r = claims.claim(StoreLayout.address(space, pool, address),
                    AddressRecord.endpoint(hostId, mac, now.toEpochMilli(), token()), Duration.ZERO, now);
            synchronized (h.book()) {
                h.book().markTaken(address);
            }
            if (r.outcome() == AddressClaims.Outcome.HELD) {
                throw new ConflictException("address " + Cidr.format(address) + " is already in use in pool " + pool
                        + " (held by " + r.existing().holderText() + ")");
            }
            return pool.withPrefix(address);
        }
        return pool.withPrefix(nextFree(h, mac, now));
    }

    /** Gives an address back; releasing one nobody holds changes nothing and is not an error (Docker repeats releases). */
    void releaseAddress(PoolId id, byte[] address) {
        Held h = heldPool(id);
        if (!id.pool().contains(address)) {
            throw new BadRequestException(Cidr.format(address) + " is not in pool " + id.pool());
        }
        AddressClaims.Release r = claims.release(StoreLayout.address(space, id.pool(), address), hostId,
                clock.instant());
        if (r == AddressClaims.Release.RELEASED) {
            synchronized (h.book()) {
                h.book().release(address);
            }
        } else if (r == AddressClaims.Release.NOT_HELD) {
            LOG.info("release of {} in {}: it was not held (already released)", Cidr.format(address), id.pool());
        }
    }

    /** Reads this host's pools from the store, once; a store failure leaves it to the next call to try again. */
    void ensureLoaded() {
        if (loaded) {
            return;
        }
        synchronized (poolLock) {
            if (loaded) {
                return;
            }
            for (PoolRegistry.Entry e : registry.list()) {
                PoolRecord.Holder mine = e.record().holders().get(hostId);
                if (mine != null) {
                    adopt(poolId(e.pool(), mine.subPool() == null ? null : Cidr.parse(mine.subPool())));
                }
            }
            loaded = true;
            LOG.info("{} space: this host holds {} pool(s) {}", space.keyName(), held.size(), held.keySet());
        }
    }

    /** Holds a pool again that Docker uses but the store no longer lists for this host (reconciliation). */
    void rejoin(Cidr pool, Cidr subPool) {
        ensureLoaded();
        synchronized (poolLock) {
            if (held.containsKey(pool)) {
                return;
            }
            PoolId id = poolId(pool, subPool);
            boolean alreadyHolder = registry.get(pool)
                    .map(e -> e.record().holders().containsKey(hostId)).orElse(false);
            if (!alreadyHolder) {
                registry.join(pool, hostId, holder(subPool), false);
            }
            adopt(id);
        }
    }

    /** Since when this host holds the pool, by the store; null when it does not. */
    Instant holdSince(Cidr pool) {
        return registry.get(pool).map(e -> e.record().holders().get(hostId))
                .map(h -> Instant.ofEpochMilli(h.since())).orElse(null);
    }

    /**
     * Ends a dead host's holds on a pool: its addresses become tombstones, it leaves the gateway and the pool (which
     * is retired if it was the last holder). Returns how many holds ended.
     */
    int reclaimHost(Cidr pool, String deadHost) {
        int count = 0;
        Instant now = clock.instant();
        for (KeyValue kv : store.list(StoreLayout.addresses(space, pool)).entries()) {
            AddressRecord r = Records.decode(kv.key(), kv.value(), AddressRecord.class);
            if (r.heldBy(deadHost)) {
                claims.release(kv.key(), deadHost, now);
                count++;
            }
        }
        registry.leave(pool, deadHost).ifPresent(rev -> registry.retire(pool, rev));
        return count + 1;
    }

    /** Rebuilds a held pool's book from the store (all hosts' holds and tombstones). */
    void refresh(Cidr pool) {
        Held h = held.get(pool);
        if (h != null) {
            held.put(pool, new Held(h.id(), loadBook(h.id())));
        }
    }

    private byte[] nextFree(Held start, String mac, Instant now) {
        Held h = start;
        boolean refreshed = false;
        for (int i = 0; i < CLAIM_ATTEMPTS; i++) {
            byte[] candidate;
            boolean forced;
            synchronized (h.book()) {
                candidate = h.book().next().orElse(null);
                forced = h.book().cursorDone();
            }
            if (candidate == null) {
                if (refreshed) {
                    throw new ConflictException("pool " + h.id().range() + " has no free address left");
                }
                refresh(h.id().pool());
                h = heldPool(h.id());
                refreshed = true;
                continue;
            }
            AddressClaims.Result r;
            try {
                r = claims.claim(StoreLayout.address(space, h.id().pool(), candidate),
                        AddressRecord.endpoint(hostId, mac, now.toEpochMilli(), token()),
                        forced ? Duration.ZERO : quarantine, now);
            } catch (RuntimeException e) {
                synchronized (h.book()) {
                    h.book().forget(candidate);
                }
                throw e;
            }
            switch (r.outcome()) {
                case CLAIMED -> {
                    return candidate;
                }
                case HELD -> {
                    // another host has it: the book already counts it as taken
                }
                case QUARANTINED -> {
                    synchronized (h.book()) {
                        h.book().markReleased(candidate, Instant.ofEpochMilli(r.existing().at()));
                    }
                }
            }
        }
        throw new UnavailableException("no address of " + h.id().range() + " could be claimed in " + CLAIM_ATTEMPTS
                + " attempts (other hosts are allocating fast); try again");
    }

    private PoolId automaticPool(boolean v6) {
        if (!defaults.has(v6)) {
            throw new BadRequestException("no default " + (v6 ? "IPv6" : "IPv4") + " pool range is configured; "
                    + "give --subnet");
        }
        for (int attempt = 0; attempt < 16; attempt++) {
            List<Cidr> taken = registry.list().stream().map(PoolRegistry.Entry::pool).toList();
            List<Cidr> routed = routes.get();
            List<Cidr> other = otherSpacePools.get();
            Optional<Cidr> candidate = defaults.first(v6, c -> taken.stream().noneMatch(c::overlaps)
                    && routed.stream().noneMatch(c::overlaps) && other.stream().noneMatch(c::overlaps),
                    POOL_CANDIDATES);
            if (candidate.isEmpty()) {
                throw new ConflictException("every default " + (v6 ? "IPv6" : "IPv4") + " pool is in use or routed "
                        + "on this host; give --subnet or widen BERTH_IPAM_DEFAULT_POOLS");
            }
            if (registry.join(candidate.get(), hostId, holder(null), true).isPresent()) {
                PoolId id = poolId(candidate.get(), null);
                adopt(id);
                return id;
            }
        }
        throw new UnavailableException("other hosts kept taking the free default pools; try again");
    }

    private void adopt(PoolId id) {
        held.put(id.pool(), new Held(id, loadBook(id)));
    }

    private AddressBook loadBook(PoolId id) {
        AddressBook book = new AddressBook(id.pool(), id.range(), startHint(id.range()), quarantine, clock);
        for (KeyValue kv : store.list(StoreLayout.addresses(space, id.pool())).entries()) {
            AddressRecord r = Records.decode(kv.key(), kv.value(), AddressRecord.class);
            byte[] address = Cidr.parseAddress(StoreLayout.last(kv.key()));
            if (!id.pool().contains(address)) {
                continue;
            }
            if (r.isHeld()) {
                book.markTaken(address);
            } else {
                book.markReleased(address, Instant.ofEpochMilli(r.at()));
            }
        }
        return book;
    }

    /**
     * Where this host's cursor starts in a shared range: one of up to 64 evenly spaced places chosen by the host ID, so
     * that hosts allocating at once rarely reach for the same address. Local pools start at the beginning.
     */
    private BigInteger startHint(Cidr range) {
        if (space == Space.LOCAL) {
            return BigInteger.ZERO;
        }
        BigInteger span = range.size();
        BigInteger buckets = span.divide(BigInteger.valueOf(16)).min(BigInteger.valueOf(64)).max(BigInteger.ONE);
        CRC32 crc = new CRC32();
        crc.update(hostId.getBytes(StandardCharsets.UTF_8));
        BigInteger bucket = BigInteger.valueOf(crc.getValue()).mod(buckets);
        return bucket.multiply(span.divide(buckets));
    }

    private Held heldPool(PoolId id) {
        ensureLoaded();
        Held h = held.get(id.pool());
        if (h == null || !h.id().equals(id)) {
            throw new NotFoundException("PoolID " + id + " is not held on this host (unknown pool, or released)");
        }
        return h;
    }

    private PoolId poolId(Cidr pool, Cidr subPool) {
        try {
            return new PoolId(space, pool, subPool);
        } catch (IllegalArgumentException e) {
            throw new BadRequestException(e.getMessage());
        }
    }

    private PoolRecord.Holder holder(Cidr subPool) {
        return new PoolRecord.Holder(subPool == null ? null : subPool.toString(), clock.millis());
    }

    private static void checkAssignable(Held h, byte[] address) {
        try {
            h.book().checkAssignable(address);
        } catch (IllegalArgumentException e) {
            throw new BadRequestException(e.getMessage());
        }
    }

    /** The first address that may be assigned: offset 1, or 0 in pools of fewer than four addresses. */
    static byte[] firstUsable(Cidr pool) {
        return pool.addressAt(pool.size().compareTo(BigInteger.valueOf(4)) < 0 ? BigInteger.ZERO : BigInteger.ONE);
    }

    private static String token() {
        return HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
    }
}
