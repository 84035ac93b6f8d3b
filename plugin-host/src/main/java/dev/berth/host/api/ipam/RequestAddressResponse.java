package dev.berth.host.api.ipam;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Map;

/** The address handed out, in CIDR form (address/prefix of its pool). */
public record RequestAddressResponse(@JsonProperty("Address") String address,
                                     @JsonProperty("Data") Map<String, String> data) {
}
