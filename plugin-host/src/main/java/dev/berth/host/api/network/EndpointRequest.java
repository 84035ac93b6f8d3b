package dev.berth.host.api.network;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.berth.host.api.Identified;
import dev.berth.host.api.Wire;

/** Requests that name a network and an endpoint: DeleteEndpoint, EndpointOperInfo, Leave, RevokeExternalConnectivity. */
public record EndpointRequest(@JsonProperty("NetworkID") String networkId,
                              @JsonProperty("EndpointID") String endpointId) implements Identified {
    public EndpointRequest {
        networkId = Wire.required(networkId, "NetworkID");
        endpointId = Wire.required(endpointId, "EndpointID");
    }

    @Override
    public String ids() {
        return "network=" + networkId + " endpoint=" + endpointId;
    }
}
