package dev.berth.host.api.ipam;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Map;

/** The pool handed out, in CIDR form, and the ID later calls name it by. */
public record RequestPoolResponse(@JsonProperty("PoolID") String poolId,
                                  @JsonProperty("Pool") String pool,
                                  @JsonProperty("Data") Map<String, String> data) {
}
