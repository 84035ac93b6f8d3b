package dev.berth.host.api.network;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.berth.host.api.Identified;
import dev.berth.host.api.Wire;
import java.util.List;
import java.util.Map;

/** {@code /NetworkDriver.AllocateNetwork}: global scope, on a swarm manager only. */
public record AllocateNetworkRequest(@JsonProperty("NetworkID") String networkId,
                                     @JsonProperty("Options") Map<String, String> options,
                                     @JsonProperty("IPv4Data") List<IpamData> ipv4Data,
                                     @JsonProperty("IPv6Data") List<IpamData> ipv6Data) implements Identified {
    public AllocateNetworkRequest {
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
