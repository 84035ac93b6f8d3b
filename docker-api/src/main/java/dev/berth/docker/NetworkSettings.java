package dev.berth.docker;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Map;

/** A container's {@code NetworkSettings}, of which only {@code Networks}: network name to the container's endpoint. */
public record NetworkSettings(@JsonProperty("Networks") Map<String, EndpointSettings> networks) {
    static final NetworkSettings NONE = new NetworkSettings(null);

    public NetworkSettings {
        networks = Nulls.map(networks);
    }
}
