package dev.berth.ipam;

import java.math.BigInteger;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Which addresses of one pool are taken, in memory, at a cost proportional to what is taken, never to the pool's size:
 * a cursor over never-used offsets, the set of taken offsets, and a queue of released ones. A released address goes
 * to the back of the queue and is handed out again only after a quarantine (so stale ARP and neighbour caches of
 * other containers expire first), oldest first; when the cursor reaches the end of the pool the oldest released
 * address is reused even inside its quarantine rather than failing. The network address, and for IPv4 the broadcast
 * address, are never handed out. Not thread-safe: one owner serialises calls.
 */
public final class AddressBook {
    private final Cidr pool;
    private final Duration quarantine;
    private final Clock clock;
    private final Map<BigInteger, Boolean> taken = new HashMap<>();
    private final ArrayDeque<Released> released = new ArrayDeque<>();
    private final BigInteger first;
    private final BigInteger end;
    private BigInteger cursor;

    private record Released(BigInteger offset, Instant at) {
    }

    public AddressBook(Cidr pool, Duration quarantine, Clock clock) {
        this.pool = pool;
        this.quarantine = quarantine;
        this.clock = clock;
        BigInteger size = pool.size();
        boolean tiny = size.compareTo(BigInteger.valueOf(4)) < 0;
        this.first = tiny ? BigInteger.ZERO : BigInteger.ONE;
        this.end = tiny || pool.isIpv6() ? size : size.subtract(BigInteger.ONE);
        this.cursor = first;
    }

    public Cidr pool() {
        return pool;
    }

    public int takenCount() {
        return taken.size();
    }

    public boolean isTaken(byte[] address) {
        return taken.containsKey(pool.offsetOf(address));
    }

    /** Takes a given address; a clear error when it is outside the pool, reserved or taken. */
    public byte[] take(byte[] address) {
        if (!pool.contains(address)) {
            throw new IllegalArgumentException(Cidr.format(address) + " is not in pool " + pool);
        }
        BigInteger offset = pool.offsetOf(address);
        if (offset.compareTo(first) < 0 || offset.compareTo(end) >= 0) {
            throw new IllegalArgumentException(Cidr.format(address) + " is the " + (offset.signum() == 0 ? "network"
                    : "broadcast") + " address of " + pool + " and cannot be assigned");
        }
        if (taken.putIfAbsent(offset, Boolean.TRUE) != null) {
            throw new IllegalStateException(Cidr.format(address) + " is already in use in " + pool);
        }
        released.removeIf(r -> r.offset.equals(offset));
        return address;
    }

    /** The next free address: the oldest released one past its quarantine, else a never-used one; empty when full. */
    public Optional<byte[]> next() {
        Released oldest = released.peekFirst();
        if (oldest != null && !oldest.at.plus(quarantine).isAfter(clock.instant())) {
            return Optional.of(reuse());
        }
        while (cursor.compareTo(end) < 0) {
            BigInteger offset = cursor;
            cursor = cursor.add(BigInteger.ONE);
            if (taken.putIfAbsent(offset, Boolean.TRUE) == null) {
                return Optional.of(pool.addressAt(offset));
            }
        }
        return oldest == null ? Optional.empty() : Optional.of(reuse());
    }

    /** Gives an address back; it joins the end of the release queue. False when it was not taken. */
    public boolean release(byte[] address) {
        BigInteger offset = pool.offsetOf(address);
        if (taken.remove(offset) == null) {
            return false;
        }
        released.addLast(new Released(offset, clock.instant()));
        return true;
    }

    private byte[] reuse() {
        Released r = released.pollFirst();
        taken.put(r.offset, Boolean.TRUE);
        return pool.addressAt(r.offset);
    }
}
