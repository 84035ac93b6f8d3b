package dev.berth.host.api.network;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Map;

/** {@code /NetworkDriver.EndpointOperInfo}: free-form operational data shown by {@code docker network inspect}. */
public record EndpointInfoResponse(@JsonProperty("Value") Map<String, Object> value) {
}
