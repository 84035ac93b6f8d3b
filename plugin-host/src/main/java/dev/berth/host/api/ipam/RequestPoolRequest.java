package dev.berth.host.api.ipam;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.berth.host.api.Identified;
import dev.berth.host.api.Wire;
import java.util.Map;

/** {@code /IpamDriver.RequestPool}: Pool empty means "choose one"; SubPool narrows where addresses come from. */
public record RequestPoolRequest(@JsonProperty("AddressSpace") String addressSpace,
                                 @JsonProperty("Pool") String pool,
                                 @JsonProperty("SubPool") String subPool,
                                 @JsonProperty("Options") Map<String, String> options,
                                 @JsonProperty("V6") boolean v6) implements Identified {
    public RequestPoolRequest {
        addressSpace = Wire.required(addressSpace, "AddressSpace");
        pool = Wire.optional(pool);
        subPool = Wire.optional(subPool);
        options = Wire.map(options);
    }

    @Override
    public String ids() {
        return "space=" + addressSpace + (pool.isEmpty() ? "" : " pool=" + pool) + (v6 ? " v6" : "");
    }
}
