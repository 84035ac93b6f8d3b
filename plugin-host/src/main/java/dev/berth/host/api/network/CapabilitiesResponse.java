package dev.berth.host.api.network;

import com.fasterxml.jackson.annotation.JsonProperty;

/** {@code /NetworkDriver.GetCapabilities}: Scope and ConnectivityScope are "local" or "global". */
public record CapabilitiesResponse(@JsonProperty("Scope") String scope,
                                   @JsonProperty("ConnectivityScope") String connectivityScope,
                                   @JsonProperty("GwAllocChecker") boolean gwAllocChecker) {
}
