package dev.berth.host.api.network;

import com.fasterxml.jackson.annotation.JsonProperty;

/** An endpoint's addresses (CIDR) and MAC; in a response, only the fields the daemon left empty may be set. */
public record EndpointInterface(@JsonProperty("Address") String address,
                                @JsonProperty("AddressIPv6") String addressIpv6,
                                @JsonProperty("MacAddress") String macAddress) {
}
