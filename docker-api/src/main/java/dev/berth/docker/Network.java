package dev.berth.docker;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;

/**
 * A network as {@code GET /networks} and {@code GET /networks/{id}} show it (Docker's {@code NetworkResource}).
 * The list leaves {@link #containers()} empty; {@link DockerApi#network(String)} fills it.
 *
 * @param containers endpoint container ID to its endpoint on this network
 */
public record Network(@JsonProperty("Id") String id,
                      @JsonProperty("Name") String name,
                      @JsonProperty("Driver") String driver,
                      @JsonProperty("Scope") String scope,
                      @JsonProperty("Internal") boolean internal,
                      @JsonProperty("Options") Map<String, String> options,
                      @JsonProperty("Labels") Map<String, String> labels,
                      @JsonProperty("IPAM") Ipam ipam,
                      @JsonProperty("Containers") Map<String, Endpoint> containers) {
    public Network {
        id = Nulls.string(id);
        name = Nulls.string(name);
        driver = Nulls.string(driver);
        scope = Nulls.string(scope);
        options = Nulls.map(options);
        labels = Nulls.map(labels);
        ipam = ipam == null ? new Ipam(null, null, null) : ipam;
        containers = Nulls.map(containers);
    }

    /** The network's address management: its IPAM driver, that driver's options and the pools. */
    public record Ipam(@JsonProperty("Driver") String driver,
                       @JsonProperty("Options") Map<String, String> options,
                       @JsonProperty("Config") List<IpamConfig> config) {
        public Ipam {
            driver = Nulls.string(driver);
            options = Nulls.map(options);
            config = Nulls.list(config);
        }
    }

    /** One pool: {@code Subnet} and {@code IPRange} in CIDR form, {@code Gateway} a bare address. */
    public record IpamConfig(@JsonProperty("Subnet") String subnet,
                             @JsonProperty("IPRange") String ipRange,
                             @JsonProperty("Gateway") String gateway,
                             @JsonProperty("AuxiliaryAddresses") Map<String, String> auxiliaryAddresses) {
        public IpamConfig {
            subnet = Nulls.string(subnet);
            ipRange = Nulls.string(ipRange);
            gateway = Nulls.string(gateway);
            auxiliaryAddresses = Nulls.map(auxiliaryAddresses);
        }
    }

    /**
     * A container's endpoint on the network. {@code IPv4Address} and {@code IPv6Address} are in CIDR form
     * ({@code 10.1.0.2/24}), or empty.
     */
    public record Endpoint(@JsonProperty("Name") String name,
                           @JsonProperty("EndpointID") String endpointId,
                           @JsonProperty("MacAddress") String macAddress,
                           @JsonProperty("IPv4Address") String ipv4Address,
                           @JsonProperty("IPv6Address") String ipv6Address) {
        public Endpoint {
            name = Nulls.string(name);
            endpointId = Nulls.string(endpointId);
            macAddress = Nulls.string(macAddress);
            ipv4Address = Nulls.string(ipv4Address);
            ipv6Address = Nulls.string(ipv6Address);
        }
    }
}
