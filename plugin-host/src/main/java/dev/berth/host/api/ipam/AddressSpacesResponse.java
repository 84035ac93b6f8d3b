package dev.berth.host.api.ipam;

import com.fasterxml.jackson.annotation.JsonProperty;

/** {@code /IpamDriver.GetDefaultAddressSpaces}: called before every RequestPool. */
public record AddressSpacesResponse(@JsonProperty("LocalDefaultAddressSpace") String localDefaultAddressSpace,
                                    @JsonProperty("GlobalDefaultAddressSpace") String globalDefaultAddressSpace) {
}
