package dev.berth.ipam;

import java.math.BigInteger;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * One host's picture of which addresses of a pool are taken, in memory, at a cost proportional to what is taken, never
 * to the pool's size. Addresses are numbered by offset from the pool's network address. Three parts:
 * <ul>
 * <li>a cursor over the allocation range (the pool, or the sub-pool Docker asked for) that starts at a given offset and
 *     wraps around once, so hosts sharing a pool start in different places and rarely race for one address;</li>
 * <li>the set of taken offsets (by this host, or learned from the cluster store when a claim found them held);</li>
 * <li>released offsets ordered by release time: one is handed out again only after a quarantine (so stale ARP and
 *     neighbour caches expire first), oldest first; when the range has no never-used offset left, the oldest released
 *     one is reused even inside its quarantine rather than failing.</li>
 * </ul>
 * The network address and, for IPv4, the broadcast address of the pool are never handed out (pools of fewer than four
 * addresses use every address: RFC 3021). Not thread-safe: the owner serialises calls.
 */
public final class AddressBook {
    private final Cidr pool;
    private final Cidr range;
    private final Duration quarantine;
    private final Clock clock;
    private final Set<BigInteger> taken = new HashSet<>();
    private final Map<BigInteger, Released> releasedByOffset = new HashMap<>();
    private final TreeSet<Released> released = new TreeSet<>(
            Comparator.comparing(Released::at).thenComparingLong(Released::seq));
    private final BigInteger reservedLow;
    private final BigInteger reservedHigh;
    private final BigInteger first;
    private final BigInteger span;
    private final BigInteger start;
    private BigInteger visited = BigInteger.ZERO;
    private long sequence;

    /** seq keeps releases at the same instant in the order they happened. */
    private record Released(BigInteger offset, Instant at, long seq) {
    }

    /** A book over the whole pool, its cursor starting at the first address. */
    public AddressBook(Cidr pool, Duration quarantine, Clock clock) {
        this(pool, pool, BigInteger.ZERO, quarantine, clock);
    }

    /**
     * @param range     where {@link #next()} takes addresses from: the pool or a sub-prefix of it
     * @param startHint where in the range the cursor starts (reduced modulo the range's size)
     */
    public AddressBook(Cidr pool, Cidr range, BigInteger startHint, Duration quarantine, Clock clock) {
        if (!pool.contains(range)) {
            throw new IllegalArgumentException("range " + range + " is not inside pool " + pool);
        }
        this.pool = pool;
        this.range = range;
        this.quarantine = quarantine;
        this.clock = clock;
        BigInteger size = pool.size();
        boolean tiny = size.compareTo(BigInteger.valueOf(4)) < 0;
        this.reservedLow = tiny ? null : BigInteger.ZERO;
        this.reservedHigh = tiny || pool.isIpv6() ? null : size.subtract(BigInteger.ONE);
        this.first = pool.offsetOf(range.network());
        this.span = range.size();
        this.start = startHint.mod(span);
    }

    public Cidr pool() {
        return pool;
    }

    public Cidr range() {
        return range;
    }

    public int takenCount() {
        return taken.size();
    }

    public boolean isTaken(byte[] address) {
        return taken.contains(pool.offsetOf(address));
    }

    /** Whether an address may be handed out at all: inside the pool and neither its network nor broadcast address. */
    public void checkAssignable(byte[] address) {
        if (!pool.contains(address)) {
            throw new IllegalArgumentException(Cidr.format(address) + " is not in pool " + pool);
        }
        BigInteger offset = pool.offsetOf(address);
        if (offset.equals(reservedLow) || offset.equals(reservedHigh)) {
            throw new IllegalArgumentException(Cidr.format(address) + " is the " + (offset.signum() == 0 ? "network"
                    : "broadcast") + " address of " + pool + " and cannot be assigned");
        }
    }

    /** Whether the cursor has been all the way round: from now on only released addresses are left. */
    public boolean cursorDone() {
        return visited.compareTo(span) >= 0;
    }

    /** Takes a given address; a clear error when it is outside the pool, reserved or taken. */
    public byte[] take(byte[] address) {
        checkAssignable(address);
        BigInteger offset = pool.offsetOf(address);
        if (!taken.add(offset)) {
            throw new IllegalStateException(Cidr.format(address) + " is already in use in " + pool);
        }
        unrelease(offset);
        return address;
    }

    /** The next free address: the oldest released one past its quarantine, else a never-used one; empty when full. */
    public Optional<byte[]> next() {
        if (!released.isEmpty() && !released.first().at.plus(quarantine).isAfter(clock.instant())) {
            return Optional.of(reuse());
        }
        while (visited.compareTo(span) < 0) {
            BigInteger offset = first.add(start.add(visited).mod(span));
            visited = visited.add(BigInteger.ONE);
            if (!offset.equals(reservedLow) && !offset.equals(reservedHigh) && !releasedByOffset.containsKey(offset)
                    && taken.add(offset)) {
                return Optional.of(pool.addressAt(offset));
            }
        }
        return released.isEmpty() ? Optional.empty() : Optional.of(reuse());
    }

    /** Gives an address back; it joins the release queue now. False when it was not taken. */
    public boolean release(byte[] address) {
        BigInteger offset = pool.offsetOf(address);
        if (!taken.remove(offset)) {
            return false;
        }
        queue(offset, clock.instant());
        return true;
    }

    /** Records that the cluster store holds this address for someone (learned when a claim failed). */
    public void markTaken(byte[] address) {
        BigInteger offset = pool.offsetOf(address);
        taken.add(offset);
        unrelease(offset);
    }

    /** Records that the cluster store says this address was released at the given time. */
    public void markReleased(byte[] address, Instant at) {
        BigInteger offset = pool.offsetOf(address);
        taken.remove(offset);
        unrelease(offset);
        queue(offset, at);
    }

    /** Undoes a take whose claim in the store failed for a reason other than "held": free again at once. */
    public void forget(byte[] address) {
        markReleased(address, Instant.EPOCH);
    }

    /** Whether this address is in the release queue and still inside its quarantine. */
    public boolean inQuarantine(Instant releasedAt) {
        return releasedAt.plus(quarantine).isAfter(clock.instant());
    }

    private void queue(BigInteger offset, Instant at) {
        Released r = new Released(offset, at, sequence++);
        releasedByOffset.put(offset, r);
        released.add(r);
    }

    private void unrelease(BigInteger offset) {
        Released r = releasedByOffset.remove(offset);
        if (r != null) {
            released.remove(r);
        }
    }

    private byte[] reuse() {
        Released r = released.pollFirst();
        releasedByOffset.remove(r.offset);
        taken.add(r.offset);
        return pool.addressAt(r.offset);
    }
}
