package dev.berth.host.api.network;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.berth.host.api.Identified;
import dev.berth.host.api.Wire;
import java.util.Map;

/** {@code /NetworkDriver.Join}: the container's sandbox (a netns path) joins the endpoint. */
public record JoinRequest(@JsonProperty("NetworkID") String networkId,
                          @JsonProperty("EndpointID") String endpointId,
                          @JsonProperty("SandboxKey") String sandboxKey,
                          @JsonProperty("Options") Map<String, Object> options) implements Identified {
    public JoinRequest {
        networkId = Wire.required(networkId, "NetworkID");
        endpointId = Wire.required(endpointId, "EndpointID");
        sandboxKey = Wire.required(sandboxKey, "SandboxKey");
        options = Wire.map(options);
    }

    @Override
    public String ids() {
        return "network=" + networkId + " endpoint=" + endpointId;
    }
}
