package dev.berth.docker;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * A container's attachment to one network, as {@code NetworkSettings.Networks[name]} shows it in the container list and
 * inspect. {@code IPAddress} is bare ({@code 10.1.0.2}) with its length in {@code IPPrefixLen}; {@code Aliases} is
 * empty in the list and holds the short container ID (and any {@code --network-alias}) in inspect on user networks.
 */
public record EndpointSettings(@JsonProperty("NetworkID") String networkId,
                               @JsonProperty("EndpointID") String endpointId,
                               @JsonProperty("IPAddress") String ipAddress,
                               @JsonProperty("IPPrefixLen") int ipPrefixLen,
                               @JsonProperty("GlobalIPv6Address") String globalIpv6Address,
                               @JsonProperty("MacAddress") String macAddress,
                               @JsonProperty("Aliases") List<String> aliases) {
    public EndpointSettings {
        networkId = Nulls.string(networkId);
        endpointId = Nulls.string(endpointId);
        ipAddress = Nulls.string(ipAddress);
        globalIpv6Address = Nulls.string(globalIpv6Address);
        macAddress = Nulls.string(macAddress);
        aliases = Nulls.list(aliases);
    }
}
