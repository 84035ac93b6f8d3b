package dev.berth.ipam;

import dev.berth.host.error.ConflictException;
import dev.berth.host.error.UnavailableException;
import dev.berth.kv.KeyValue;
import dev.berth.kv.KvOutcomeUnknownException;
import dev.berth.kv.KvStore;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Claims and releases single addresses in the store: the step that makes an address unique across every host. A
 * claim is a create of the address key (or a compare-and-set over a tombstone), so of any number of hosts racing for
 * one address exactly one wins. A claim whose answer was lost is settled by reading the key back (the record carries
 * the claim's token).
 */
final class AddressClaims {
    private static final int ATTEMPTS = 16;

    private final KvStore store;

    AddressClaims(KvStore store) {
        this.store = store;
    }

    enum Outcome { CLAIMED, HELD, QUARANTINED }

    /** What a release did. */
    enum Release { NOT_HELD, RELEASED, STILL_SHARED }

    /** The outcome and, unless claimed, the record that stood in the way. */
    record Result(Outcome outcome, AddressRecord existing) {
    }

    /**
     * @param quarantine a tombstone younger than this is left alone (QUARANTINED); {@link Duration#ZERO} for an
     *                   address the user asked for by name
     */
    Result claim(String key, AddressRecord mine, Duration quarantine, Instant now) {
        byte[] value = Records.encode(mine);
        for (int i = 0; i < ATTEMPTS; i++) {
            try {
                if (store.create(key, value).isPresent()) {
                    return new Result(Outcome.CLAIMED, null);
                }
            } catch (KvOutcomeUnknownException e) {
                if (landed(key, mine)) {
                    return new Result(Outcome.CLAIMED, null);
                }
                continue;
            }
            Optional<KeyValue> cur = store.get(key);
            if (cur.isEmpty()) {
                continue;
            }
            AddressRecord existing = Records.decode(key, cur.get().value(), AddressRecord.class);
            if (existing.isHeld()) {
                return new Result(Outcome.HELD, existing);
            }
            if (Instant.ofEpochMilli(existing.at()).plus(quarantine).isAfter(now)) {
                return new Result(Outcome.QUARANTINED, existing);
            }
            try {
                if (store.compareAndSet(key, cur.get().modRevision(), value).isPresent()) {
                    return new Result(Outcome.CLAIMED, null);
                }
            } catch (KvOutcomeUnknownException e) {
                if (landed(key, mine)) {
                    return new Result(Outcome.CLAIMED, null);
                }
            }
        }
        throw new UnavailableException("address " + StoreLayout.last(key) + " changed " + ATTEMPTS
                + " times while claiming it; try again");
    }

    /**
     * Makes {@code host} one of the holders of a gateway address (every host of a shared pool uses the same gateway).
     * Refused when the address is held by an endpoint.
     */
    void holdGateway(String key, String host, Instant now, String token) {
        for (int i = 0; i < ATTEMPTS; i++) {
            Optional<KeyValue> cur = store.get(key);
            if (cur.isEmpty()) {
                if (store.create(key, Records.encode(AddressRecord.gateway(List.of(host), now.toEpochMilli(), token)))
                        .isPresent()) {
                    return;
                }
                continue;
            }
            AddressRecord existing = Records.decode(key, cur.get().value(), AddressRecord.class);
            if (existing.isHeld() && !existing.isGateway()) {
                throw new ConflictException("the gateway address " + StoreLayout.last(key)
                        + " is already in use by an endpoint on " + existing.holderText());
            }
            if (existing.heldBy(host)) {
                return;
            }
            List<String> holders = new ArrayList<>(existing.isGateway() ? existing.holders() : List.of());
            holders.add(host);
            AddressRecord next = AddressRecord.gateway(holders, now.toEpochMilli(), token);
            if (store.compareAndSet(key, cur.get().modRevision(), Records.encode(next)).isPresent()) {
                return;
            }
        }
        throw new UnavailableException("gateway " + StoreLayout.last(key) + " changed " + ATTEMPTS
                + " times while claiming it; try again");
    }

    /**
     * Gives up this host's hold: an endpoint address becomes a tombstone; a gateway loses this host as a holder (and
     * becomes a tombstone with the last one). NOT_HELD when nobody held it (nothing changes); refused when another host
     * holds it.
     */
    Release release(String key, String host, Instant now) {
        for (int i = 0; i < ATTEMPTS; i++) {
            Optional<KeyValue> cur = store.get(key);
            if (cur.isEmpty()) {
                return Release.NOT_HELD;
            }
            AddressRecord existing = Records.decode(key, cur.get().value(), AddressRecord.class);
            if (!existing.isHeld()) {
                return Release.NOT_HELD;
            }
            if (!existing.heldBy(host)) {
                throw new ConflictException("address " + StoreLayout.last(key) + " is held by "
                        + existing.holderText() + ", not by this host; nothing was released");
            }
            AddressRecord next;
            if (existing.isGateway() && existing.holders().size() > 1) {
                List<String> holders = new ArrayList<>(existing.holders());
                holders.remove(host);
                next = AddressRecord.gateway(holders, existing.at(), existing.claim());
            } else {
                next = AddressRecord.released(host, now.toEpochMilli());
            }
            if (store.compareAndSet(key, cur.get().modRevision(), Records.encode(next)).isPresent()) {
                return next.isHeld() ? Release.STILL_SHARED : Release.RELEASED;
            }
        }
        throw new UnavailableException("address " + StoreLayout.last(key) + " changed " + ATTEMPTS
                + " times while releasing it; try again");
    }

    private boolean landed(String key, AddressRecord mine) {
        return store.get(key).map(kv -> Records.decode(key, kv.value(), AddressRecord.class))
                .map(r -> mine.claim() != null && mine.claim().equals(r.claim()) && r.isHeld())
                .orElse(false);
    }
}
