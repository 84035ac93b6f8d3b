package dev.berth.bench.overlayscale;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What Docker's daemon sends a remote network driver (libnetwork's {@code drivers/remote/api}), on one connection:
 * the bodies carry exactly the daemon's field names. A non-200 answer (the driver's {@code {"Err": ...}}) throws.
 */
public final class DriverClient implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Transport transport;

    public DriverClient(Transport transport) {
        this.transport = transport;
    }

    /** One network with one IPv4 pool, as {@code docker network create -d berth/overlay --subnet S} sends it. */
    public void createNetwork(String networkId, String subnet, String gatewayCidr) {
        Map<String, Object> pool = new LinkedHashMap<>();
        pool.put("AddressSpace", "LocalDefault");
        pool.put("Pool", subnet);
        pool.put("Gateway", gatewayCidr);
        pool.put("AuxAddresses", Map.of());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("NetworkID", networkId);
        body.put("Options", Map.of("com.docker.network.enable_ipv6", false,
                "com.docker.network.generic", Map.of()));
        body.put("IPv4Data", List.of(pool));
        body.put("IPv6Data", List.of());
        call("/NetworkDriver.CreateNetwork", body);
    }

    /** The daemon gives the address and leaves the MAC to the driver; returns the MAC the driver chose. */
    public String createEndpoint(String networkId, String endpointId, String addressCidr) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("NetworkID", networkId);
        body.put("EndpointID", endpointId);
        body.put("Interface", Map.of("Address", addressCidr, "AddressIPv6", "", "MacAddress", ""));
        body.put("Options", Map.of());
        JsonNode answer = call("/NetworkDriver.CreateEndpoint", body);
        String mac = answer.path("Interface").path("MacAddress").asText("");
        if (mac.isEmpty()) {
            throw new IllegalStateException("CreateEndpoint " + endpointId + " answered no MAC: " + answer);
        }
        return mac;
    }

    /** Returns the interface name ({@code InterfaceName.SrcName}) the daemon would move into the sandbox. */
    public String join(String networkId, String endpointId, String sandboxKey) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("NetworkID", networkId);
        body.put("EndpointID", endpointId);
        body.put("SandboxKey", sandboxKey);
        body.put("Options", Map.of());
        return call("/NetworkDriver.Join", body).path("InterfaceName").path("SrcName").asText();
    }

    public void leave(String networkId, String endpointId) {
        call("/NetworkDriver.Leave", Map.of("NetworkID", networkId, "EndpointID", endpointId));
    }

    public void deleteEndpoint(String networkId, String endpointId) {
        call("/NetworkDriver.DeleteEndpoint", Map.of("NetworkID", networkId, "EndpointID", endpointId));
    }

    public void deleteNetwork(String networkId) {
        call("/NetworkDriver.DeleteNetwork", Map.of("NetworkID", networkId));
    }

    private JsonNode call(String path, Object body) {
        Transport.Reply r;
        try {
            r = transport.post(path, JSON.writeValueAsString(body));
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
        if (r.status() != 200) {
            throw new IllegalStateException(path + ": HTTP " + r.status() + " " + r.body());
        }
        try {
            return r.body().isBlank() ? JSON.createObjectNode() : JSON.readTree(r.body());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(path + ": unreadable answer " + r.body(), e);
        }
    }

    @Override
    public void close() {
        transport.close();
    }
}
