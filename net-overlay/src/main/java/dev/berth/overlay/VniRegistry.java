package dev.berth.overlay;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.kv.KeyValue;
import dev.berth.kv.KvStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * VXLAN network identifiers, one per cluster-wide network, held per host:
 * <pre>
 * overlay/networks/&lt;key&gt;  {"vni": 4096, "holders": {"&lt;host&gt;": since}}
 * overlay/vnis/&lt;vni&gt;       the key it belongs to (its create makes the VNI unique)
 * </pre>
 * A host joins when its Docker creates the network and leaves when it deletes it; the last host out frees the VNI, so
 * IDs never run out through leaks. The first candidate VNI is derived from the key, so hosts rarely race for one.
 */
public final class VniRegistry {
    public static final int FIRST = 4096;
    public static final int LAST = (1 << 24) - 1;
    private static final int ATTEMPTS = 64;
    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    private final KvStore store;

    /** The network record. */
    public record NetworkRecord(@JsonProperty("vni") int vni, @JsonProperty("holders") Map<String, Long> holders) {
        public NetworkRecord {
            holders = holders == null ? Map.of() : new TreeMap<>(holders);
        }

        NetworkRecord with(String host, long since) {
            Map<String, Long> next = new TreeMap<>(holders);
            next.put(host, since);
            return new NetworkRecord(vni, next);
        }

        NetworkRecord without(String host) {
            Map<String, Long> next = new TreeMap<>(holders);
            next.remove(host);
            return new NetworkRecord(vni, next);
        }
    }

    public VniRegistry(KvStore store) {
        this.store = store;
    }

    static String networkKey(NetworkKey key) {
        return "overlay/networks/" + key.segment();
    }

    static String vniKey(int vni) {
        return "overlay/vnis/" + vni;
    }

    /** The network's VNI as the store has it, if any host holds it. */
    public Optional<NetworkRecord> get(NetworkKey key) {
        return store.get(networkKey(key)).map(kv -> decode(kv.value()));
    }

    /** Makes {@code host} a holder of the network, allocating its VNI if it is new; returns the VNI. */
    public int join(NetworkKey key, String host, long now) {
        return join(key, host, now, 0);
    }

    /**
     * As {@link #join(NetworkKey, String, long)}, trying {@code preferred} first when the network is new to the store:
     * a host restoring a network it had (its devices carry the VNI) after every other holder left keeps its VNI.
     */
    public int join(NetworkKey key, String host, long now, int preferred) {
        String nk = networkKey(key);
        for (int i = 0; i < ATTEMPTS; i++) {
            Optional<KeyValue> cur = store.get(nk);
            if (cur.isPresent()) {
                NetworkRecord r = decode(cur.get().value());
                if (r.holders().containsKey(host)) {
                    return r.vni();
                }
                if (store.compareAndSet(nk, cur.get().modRevision(), encode(r.with(host, now))).isPresent()) {
                    return r.vni();
                }
                continue;
            }
            int vni = claimVni(key, preferred, i < ATTEMPTS / 2);
            if (vni < 0) {
                // another host is creating this very network: its record follows its VNI claim within moments
                pause(i);
                continue;
            }
            if (store.create(nk, encode(new NetworkRecord(vni, Map.of(host, now)))).isPresent()) {
                return vni;
            }
            // another host created the network meanwhile: give our VNI back and join theirs
            store.delete(vniKey(vni));
        }
        throw new IllegalStateException("network " + key + " changed " + ATTEMPTS + " times while joining it");
    }

    /** Removes {@code host}; the last holder frees the VNI. Returns true when the network is gone from the store. */
    public boolean leave(NetworkKey key, String host) {
        String nk = networkKey(key);
        for (int i = 0; i < ATTEMPTS; i++) {
            Optional<KeyValue> cur = store.get(nk);
            if (cur.isEmpty()) {
                return true;
            }
            NetworkRecord r = decode(cur.get().value());
            if (!r.holders().containsKey(host)) {
                return false;
            }
            NetworkRecord next = r.without(host);
            if (next.holders().isEmpty()) {
                if (store.compareAndDelete(nk, cur.get().modRevision())) {
                    store.delete(vniKey(r.vni()));
                    return true;
                }
            } else if (store.compareAndSet(nk, cur.get().modRevision(), encode(next)).isPresent()) {
                return false;
            }
        }
        throw new IllegalStateException("network " + key + " changed " + ATTEMPTS + " times while leaving it");
    }

    /**
     * Removes, from every network, the holders {@code alive} says are gone; a network left with no holder is deleted
     * and its VNI freed. Returns the number of holders removed. Safe to run on every host at once (compare-and-set).
     */
    public int sweep(java.util.function.Predicate<String> alive) {
        int removed = 0;
        for (KeyValue kv : store.list("overlay/networks/").entries()) {
            NetworkRecord r;
            try {
                r = decode(kv.value());
            } catch (UncheckedIOException e) {
                continue;
            }
            NetworkRecord next = r;
            for (String host : r.holders().keySet()) {
                if (!alive.test(host)) {
                    next = next.without(host);
                }
            }
            if (next.holders().size() == r.holders().size()) {
                continue;
            }
            if (next.holders().isEmpty()) {
                if (store.compareAndDelete(kv.key(), kv.modRevision())) {
                    store.delete(vniKey(r.vni()));
                    removed += r.holders().size();
                }
            } else if (store.compareAndSet(kv.key(), kv.modRevision(), encode(next)).isPresent()) {
                removed += r.holders().size() - next.holders().size();
            }
        }
        return removed;
    }

    /**
     * VNI claims no network record points at (a host died between claiming a VNI and creating the network, or between
     * deleting a network and freeing its VNI), each with the create revision it had, so a caller can free it only when
     * it is still the same orphan a while later (never a claim a host is just now completing).
     */
    public Map<Integer, Long> orphanVnis() {
        Map<Integer, Long> out = new TreeMap<>();
        Map<String, Integer> used = new java.util.HashMap<>();
        for (KeyValue kv : store.list("overlay/networks/").entries()) {
            try {
                used.put(kv.key().substring("overlay/networks/".length()), decode(kv.value()).vni());
            } catch (UncheckedIOException e) {
                // unreadable records keep their VNI: nothing is freed on a guess
                return Map.of();
            }
        }
        for (KeyValue kv : store.list("overlay/vnis/").entries()) {
            int vni;
            try {
                vni = Integer.parseInt(kv.key().substring("overlay/vnis/".length()));
            } catch (NumberFormatException e) {
                continue;
            }
            Integer owner = used.get(kv.text());
            if (owner == null || owner != vni) {
                out.put(vni, kv.createRevision());
            }
        }
        return out;
    }

    /** Frees an orphan VNI if its claim is still the one seen ({@code createRevision}). */
    public boolean freeOrphan(int vni, long createRevision) {
        Optional<KeyValue> cur = store.get(vniKey(vni));
        return cur.isPresent() && cur.get().createRevision() == createRevision
                && store.compareAndDelete(vniKey(vni), cur.get().modRevision());
    }

    /**
     * Claims a VNI for {@code key}: {@code preferred} if free, else the first free one from a start derived from the
     * key. Returns -1 when {@code yieldToCreator} and the key's first candidate is already claimed for this same key:
     * another host is creating the network, and joining its record beats claiming a second VNI (with many hosts
     * creating one network at once, claims otherwise grew with the square of the hosts).
     */
    private int claimVni(NetworkKey key, int preferred, boolean yieldToCreator) {
        byte[] owner = key.segment().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        if (preferred >= FIRST && preferred <= LAST && store.create(vniKey(preferred), owner).isPresent()) {
            return preferred;
        }
        int span = LAST - FIRST + 1;
        int start = Math.floorMod(key.segment().hashCode(), span);
        for (int i = 0; i < ATTEMPTS * 16; i++) {
            int vni = FIRST + Math.floorMod(start + i, span);
            if (store.create(vniKey(vni), owner).isPresent()) {
                return vni;
            }
            if (i == 0 && yieldToCreator && store.get(vniKey(vni))
                    .map(kv -> java.util.Arrays.equals(kv.value(), owner)).orElse(false)) {
                return -1;
            }
        }
        throw new IllegalStateException("no free VNI found near " + (FIRST + start));
    }

    private static void pause(int attempt) {
        try {
            Thread.sleep(Math.min(50, 2L << Math.min(attempt, 5)));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static NetworkRecord decode(byte[] value) {
        try {
            return JSON.readValue(value, NetworkRecord.class);
        } catch (IOException e) {
            throw new UncheckedIOException("unreadable overlay network record", e);
        }
    }

    private static byte[] encode(NetworkRecord r) {
        try {
            return JSON.writeValueAsBytes(r);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
