package dev.berth.overlay;

import com.fasterxml.jackson.annotation.JsonInclude;
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
 * What this host's plugin must remember across its own restarts and the daemon's (Docker does not replay
 * CreateNetwork for remote drivers): its networks by Docker's NetworkID and its endpoints, in the host's embedded
 * store.
 */
final class LocalState {
    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
    private static final String NETWORKS = "overlay/local/networks/";
    private static final String ENDPOINTS = "overlay/local/endpoints/";

    private final KvStore store;

    record NetworkState(@JsonProperty("networkId") String networkId, @JsonProperty("key") String key,
                        @JsonProperty("vni") int vni, @JsonProperty("mtu") int mtu) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record EndpointState(@JsonProperty("endpointId") String endpointId, @JsonProperty("networkId") String networkId,
                         @JsonProperty("ipv4") String ipv4, @JsonProperty("ipv6") String ipv6,
                         @JsonProperty("mac") String mac) {
    }

    LocalState(KvStore store) {
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
