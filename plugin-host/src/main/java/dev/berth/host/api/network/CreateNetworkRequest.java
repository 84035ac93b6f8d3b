package dev.berth.host.api.network;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.berth.host.api.Identified;
import dev.berth.host.api.Wire;
import java.util.List;
import java.util.Map;

/** {@code /NetworkDriver.CreateNetwork}; user {@code --opt}s arrive under Options["com.docker.network.generic"]. */
public record CreateNetworkRequest(@JsonProperty("NetworkID") String networkId,
                                   @JsonProperty("Options") Map<String, Object> options,
                                   @JsonProperty("IPv4Data") List<IpamData> ipv4Data,
                                   @JsonProperty("IPv6Data") List<IpamData> ipv6Data) implements Identified {
    public CreateNetworkRequest {
        networkId = Wire.required(networkId, "NetworkID");
        options = Wire.map(options);
        ipv4Data = Wire.list(ipv4Data);
        ipv6Data = Wire.list(ipv6Data);
    }

    @Override
    public String ids() {
        return "network=" + networkId;
    }
}
