package dev.berth.host.api.ipam;

import com.fasterxml.jackson.annotation.JsonProperty;

/** {@code /IpamDriver.GetCapabilities}. */
public record CapabilitiesResponse(@JsonProperty("RequiresMACAddress") boolean requiresMacAddress,
                                   @JsonProperty("RequiresRequestReplay") boolean requiresRequestReplay) {
}
