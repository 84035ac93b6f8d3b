package dev.berth.wireguard.driver;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.kv.KeyValue;
import dev.berth.kv.KvStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What this host's plugin remembers across restarts (Docker does not replay CreateNetwork for remote drivers): its
 * networks by Docker's NetworkID, with the device, table, port and MTU they got, and its endpoints, in the host's
 * embedded store. The same idea as net-overlay's LocalState, with WireGuard's fields.
 */
final class WgLocalState {
    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
    private static final String NETWORKS = "wireguard/local/networks/";
    private static final String ENDPOINTS = "wireguard/local/endpoints/";

    private final KvStore store;

    record NetworkState(@JsonProperty("networkId") String networkId, @JsonProperty("key") String key,
                        @JsonProperty("device") String device, @JsonProperty("table") int table,
                        @JsonProperty("port") int port, @JsonProperty("mtu") int mtu,
                        @JsonProperty("psk") String psk, @JsonProperty("subnet") String subnet) {
        /** Without a preshared key. */
        NetworkState(String networkId, String key, String device, int table, int port, int mtu) {
            this(networkId, key, device, table, port, mtu, null, null);
        }
    }

    /** @param mac the MAC Docker asked for (--mac-address), or null: the container's veth keeps the kernel's */
    record EndpointState(@JsonProperty("endpointId") String endpointId, @JsonProperty("networkId") String networkId,
                         @JsonProperty("ipv4") String ipv4, @JsonProperty("mac") String mac) {
        EndpointState(String endpointId, String networkId, String ipv4) {
            this(endpointId, networkId, ipv4, null);
        }
    }

    WgLocalState(KvStore store) {
        this.store = store;
    }

    void put(NetworkState n) {
        store.put(NETWORKS + n.networkId(), encode(n));
    }

    Optional<NetworkState> network(String networkId) {
        return store.get(NETWORKS + networkId).map(kv -> decode(kv, NetworkState.class));
    }

    List<NetworkState> networks() {
        List<NetworkState> out = new ArrayList<>();
        store.list(NETWORKS).entries().forEach(kv -> out.add(decode(kv, NetworkState.class)));
        return out;
    }

    void removeNetwork(String networkId) {
        store.delete(NETWORKS + networkId);
    }

    void put(EndpointState e) {
        store.put(ENDPOINTS + e.endpointId(), encode(e));
    }

    Optional<EndpointState> endpoint(String endpointId) {
        return store.get(ENDPOINTS + endpointId).map(kv -> decode(kv, EndpointState.class));
    }

    List<EndpointState> endpoints() {
        List<EndpointState> out = new ArrayList<>();
        store.list(ENDPOINTS).entries().forEach(kv -> out.add(decode(kv, EndpointState.class)));
        return out;
    }

    void removeEndpoint(String endpointId) {
        store.delete(ENDPOINTS + endpointId);
    }

    private static byte[] encode(Object o) {
        try {
            return JSON.writeValueAsBytes(o);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static <T> T decode(KeyValue kv, Class<T> type) {
        try {
            return JSON.readValue(kv.value(), type);
        } catch (IOException e) {
            throw new UncheckedIOException("unreadable record at " + kv.key(), e);
        }
    }
}
