package dev.berth.host.api.ipam;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.berth.host.api.Identified;
import dev.berth.host.api.Wire;

/** {@code /IpamDriver.ReleasePool}. */
public record ReleasePoolRequest(@JsonProperty("PoolID") String poolId) implements Identified {
    public ReleasePoolRequest {
        poolId = Wire.required(poolId, "PoolID");
    }

    @Override
    public String ids() {
        return "pool=" + poolId;
    }
}
