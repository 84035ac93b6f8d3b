package dev.berth.host.api.network;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.berth.host.api.Identified;
import dev.berth.host.api.Wire;

/** Requests that carry only the network: DeleteNetwork, FreeNetwork. */
public record NetworkRequest(@JsonProperty("NetworkID") String networkId) implements Identified {
    public NetworkRequest {
        networkId = Wire.required(networkId, "NetworkID");
    }

    @Override
    public String ids() {
        return "network=" + networkId;
    }
}
