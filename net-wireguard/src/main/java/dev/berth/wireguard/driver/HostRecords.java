package dev.berth.wireguard.driver;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.kv.KvStore;
import dev.berth.kv.Lease;
import dev.berth.overlay.NetworkKey;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Each host's part in a network, {@code wireguard/hosts/<network-key>/<host-id>} = {publicKey, endpoint}, under the
 * host's lease: a dead host's record leaves with it, and with it its peer on every other host.
 */
final class HostRecords {
    static final String ROOT = "wireguard/hosts/";
    static final String ENDPOINTS = "wireguard/endpoints/";
    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    /**
     * {@code publicKey} base64 as wg(8) prints it; {@code endpoint} "underlay-ip:port". Key rotation (README, "Key
     * rotation"): {@code nextPublicKey} is the key this host is rotating to (null when none: step "announce");
     * {@code announced} lists the other hosts' next keys this host has added as peers without allowed IPs (the ack
     * the rotating host waits for). Both are absent in records of older versions.
     */
    record HostRecord(@JsonProperty("publicKey") String publicKey, @JsonProperty("endpoint") String endpoint,
                      @JsonProperty("nextPublicKey") String nextPublicKey,
                      @JsonProperty("announced") java.util.List<String> announced) {
        HostRecord {
            announced = announced == null ? java.util.List.of() : java.util.List.copyOf(announced);
        }

        HostRecord(String publicKey, String endpoint) {
            this(publicKey, endpoint, null, java.util.List.of());
        }
    }

    private final KvStore store;

    HostRecords(KvStore store) {
        this.store = store;
    }

    static String prefix(NetworkKey key) {
        return ROOT + key.segment() + "/";
    }

    void publish(NetworkKey key, String hostId, HostRecord r, Lease lease) {
        try {
            store.put(prefix(key) + hostId, JSON.writeValueAsBytes(r), lease);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    void withdraw(NetworkKey key, String hostId) {
        store.delete(prefix(key) + hostId);
    }

    static HostRecord decode(byte[] value) {
        try {
            return JSON.readValue(value, HostRecord.class);
        } catch (IOException e) {
            throw new UncheckedIOException("unreadable host record", e);
        }
    }
}
