package dev.berth.host.api.network;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Interface is null when the driver fills in nothing. */
public record CreateEndpointResponse(@JsonProperty("Interface") EndpointInterface endpointInterface) {
}
