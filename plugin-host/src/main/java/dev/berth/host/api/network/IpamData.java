package dev.berth.host.api.network;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.berth.host.api.Wire;
import java.util.Map;

/** One address pool of a network as the daemon allocated it: Pool and Gateway in CIDR form. */
public record IpamData(@JsonProperty("AddressSpace") String addressSpace,
                       @JsonProperty("Pool") String pool,
                       @JsonProperty("Gateway") String gateway,
                       @JsonProperty("AuxAddresses") Map<String, String> auxAddresses) {
    public IpamData {
        addressSpace = Wire.optional(addressSpace);
        pool = Wire.required(pool, "IPv4Data[].Pool");
        gateway = Wire.optional(gateway);
        auxAddresses = Wire.map(auxAddresses);
    }
}
