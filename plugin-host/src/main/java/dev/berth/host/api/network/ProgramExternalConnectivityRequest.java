package dev.berth.host.api.network;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.berth.host.api.Identified;
import dev.berth.host.api.Wire;
import java.util.Map;

/** {@code /NetworkDriver.ProgramExternalConnectivity}: only for the endpoint that is the container's gateway. */
public record ProgramExternalConnectivityRequest(@JsonProperty("NetworkID") String networkId,
                                                 @JsonProperty("EndpointID") String endpointId,
                                                 @JsonProperty("Options") Map<String, Object> options)
        implements Identified {
    public ProgramExternalConnectivityRequest {
        networkId = Wire.required(networkId, "NetworkID");
        endpointId = Wire.required(endpointId, "EndpointID");
        options = Wire.map(options);
    }

    @Override
    public String ids() {
        return "network=" + networkId + " endpoint=" + endpointId;
    }
}
