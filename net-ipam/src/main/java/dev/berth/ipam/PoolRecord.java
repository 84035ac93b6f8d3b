package dev.berth.ipam;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Map;
import java.util.TreeMap;

/**
 * A pool as the store keeps it ({@code ipam/<space>/pools/<cidr>}): the prefix and the hosts holding it. A shared pool
 * has one holder per host whose Docker has a network on it; each holder may draw from its own sub-pool. A record with
 * no holders is being retired by the host that released it last. Every change is a compare-and-set on this one key, so
 * hosts joining and leaving concurrently never lose each other.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record PoolRecord(@JsonProperty("pool") String pool,
                         @JsonProperty("holders") Map<String, Holder> holders) {

    /** One host's hold: the sub-pool its Docker asked for (null: the whole pool) and since when (epoch ms). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Holder(@JsonProperty("subPool") String subPool, @JsonProperty("since") long since) {
    }

    public PoolRecord {
        holders = holders == null ? Map.of() : new TreeMap<>(holders);
    }

    public PoolRecord with(String host, Holder holder) {
        Map<String, Holder> next = new TreeMap<>(holders);
        next.put(host, holder);
        return new PoolRecord(pool, next);
    }

    public PoolRecord without(String host) {
        Map<String, Holder> next = new TreeMap<>(holders);
        next.remove(host);
        return new PoolRecord(pool, next);
    }

    public boolean retiring() {
        return holders.isEmpty();
    }
}
