package dev.berth.host.api.ipam;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.berth.host.api.Identified;
import dev.berth.host.api.Wire;

/** {@code /IpamDriver.ReleaseAddress}. */
public record ReleaseAddressRequest(@JsonProperty("PoolID") String poolId,
                                    @JsonProperty("Address") String address) implements Identified {
    public ReleaseAddressRequest {
        poolId = Wire.required(poolId, "PoolID");
        address = Wire.required(address, "Address");
    }

    @Override
    public String ids() {
        return "pool=" + poolId + " address=" + address;
    }
}
