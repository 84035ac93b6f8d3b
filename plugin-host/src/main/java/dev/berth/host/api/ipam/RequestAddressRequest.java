package dev.berth.host.api.ipam;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.berth.host.api.Identified;
import dev.berth.host.api.Wire;
import java.util.Map;

/**
 * {@code /IpamDriver.RequestAddress}: Address empty means "the next free one". The gateway request carries
 * Options {"RequestAddressType": "com.docker.network.gateway"}.
 */
public record RequestAddressRequest(@JsonProperty("PoolID") String poolId,
                                    @JsonProperty("Address") String address,
                                    @JsonProperty("Options") Map<String, String> options) implements Identified {
    public static final String ADDRESS_TYPE_OPTION = "RequestAddressType";
    public static final String GATEWAY_TYPE = "com.docker.network.gateway";

    public RequestAddressRequest {
        poolId = Wire.required(poolId, "PoolID");
        address = Wire.optional(address);
        options = Wire.map(options);
    }

    public boolean isGatewayRequest() {
        return GATEWAY_TYPE.equals(options.get(ADDRESS_TYPE_OPTION));
    }

    @Override
    public String ids() {
        return "pool=" + poolId + (address.isEmpty() ? "" : " address=" + address);
    }
}
