package dev.berth.host.api.network;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.berth.host.api.Identified;

/** {@code /NetworkDriver.DiscoverNew} and {@code DiscoverDelete}: swarm mode with global connectivity scope only. */
public record DiscoveryNotification(@JsonProperty("DiscoveryType") int discoveryType,
                                    @JsonProperty("DiscoveryData") Object discoveryData) implements Identified {
    @Override
    public String ids() {
        return "discoveryType=" + discoveryType;
    }
}
