package dev.berth.overlay;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.kv.KeyValue;
import dev.berth.kv.KvStore;
import dev.berth.kv.Lease;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Optional;

/**
 * Publishes this host's endpoints under its lease, one key per address of a network, so that an address another host
 * already holds is refused (for example one handed out by Docker's per-host default IPAM on two hosts), and a dead
 * host's endpoints vanish with its lease from every peer's table.
 */
public final class EndpointClaims {
    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    /** The store prefix berth/overlay's endpoint records live under. */
    public static final String OVERLAY_ROOT = "overlay/endpoints/";

    private final KvStore store;
    private final String root;

    /** Claims under {@link #OVERLAY_ROOT}, as berth/overlay does. */
    public EndpointClaims(KvStore store) {
        this(store, OVERLAY_ROOT);
    }

    /**
     * Claims under another root (such as {@code wireguard/endpoints/}, ending in '/'), so another driver's networks
     * never mix with the overlay's even when their keys are equal.
     */
    public EndpointClaims(KvStore store, String root) {
        if (root == null || !root.endsWith("/")) {
            throw new IllegalArgumentException("an endpoint record root ends in '/': " + root);
        }
        this.store = store;
        this.root = root;
    }

    /** berth/overlay's prefix for one network's endpoint records. */
    public static String prefix(NetworkKey key) {
        return OVERLAY_ROOT + key.segment() + "/";
    }

    /** This instance's prefix for one network's endpoint records (the one to watch). */
    public String prefixOf(NetworkKey key) {
        return root + key.segment() + "/";
    }

    String key(NetworkKey key, String ipv4) {
        return prefixOf(key) + ipv4;
    }

    /** Thrown when the address belongs to an endpoint of another host (or another endpoint of this one). */
    public static final class AddressTaken extends RuntimeException {
        public AddressTaken(String message) {
            super(message);
        }
    }

    /** Claims the endpoint's address on the network; re-claiming one's own endpoint (a restart) refreshes it. */
    public void claim(NetworkKey network, EndpointRecord r, Lease lease) {
        String k = key(network, r.ipv4());
        byte[] value = encode(r);
        for (int i = 0; i < 16; i++) {
            if (store.create(k, value, lease).isPresent()) {
                return;
            }
            Optional<KeyValue> cur = store.get(k);
            if (cur.isEmpty()) {
                continue;
            }
            EndpointRecord existing = decode(cur.get().value());
            if (!existing.host().equals(r.host()) || !existing.endpoint().equals(r.endpoint())) {
                throw new AddressTaken("address " + r.ipv4() + " is already used on this network by endpoint "
                        + shortId(existing.endpoint()) + " on host " + existing.host());
            }
            if (cur.get().leaseId() == lease.id() && java.util.Arrays.equals(cur.get().value(), value)) {
                return;
            }
            // our own endpoint under an older lease (a restart): take it over under the current one
            store.delete(k);
        }
        throw new IllegalStateException("address " + r.ipv4() + " kept changing while claiming it");
    }

    /** Gives the address back if this endpoint holds it. */
    public void release(NetworkKey network, String ipv4, String host, String endpoint) {
        String k = key(network, ipv4);
        store.get(k).ifPresent(kv -> {
            EndpointRecord existing = decode(kv.value());
            if (existing.host().equals(host) && existing.endpoint().equals(endpoint)) {
                store.compareAndDelete(k, kv.modRevision());
            }
        });
    }

    /** Reads a record as {@link #claim} wrote it. */
    public static EndpointRecord decode(byte[] value) {
        try {
            return JSON.readValue(value, EndpointRecord.class);
        } catch (IOException e) {
            throw new UncheckedIOException("unreadable endpoint record", e);
        }
    }

    private static byte[] encode(EndpointRecord r) {
        try {
            return JSON.writeValueAsBytes(r);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String shortId(String id) {
        return id == null ? "?" : id.substring(0, Math.min(12, id.length()));
    }
}
