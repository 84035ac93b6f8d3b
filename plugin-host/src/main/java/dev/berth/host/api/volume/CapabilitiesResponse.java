package dev.berth.host.api.volume;

import com.fasterxml.jackson.annotation.JsonProperty;

/** {@code /VolumeDriver.Capabilities}: Scope "local" or "global". */
public record CapabilitiesResponse(@JsonProperty("Capabilities") Capabilities capabilities) {
    public record Capabilities(@JsonProperty("Scope") String scope) {
    }

    public static CapabilitiesResponse scope(String scope) {
        return new CapabilitiesResponse(new Capabilities(scope));
    }
}
