package dev.berth.ipam;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.TreeSet;

/**
 * One address as the store keeps it ({@code ipam/<space>/addrs/<pool>/<ip>}). Held: by one host for an endpoint, or by
 * every host of a shared pool for its gateway. Released: a tombstone with the release time, so the quarantine holds
 * across hosts and restarts; claiming the address again replaces the tombstone by compare-and-set.
 *
 * @param claim a random token of the request that claimed it: when the store's answer to a claim is lost, reading the
 *              key back tells whether the claim landed
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record AddressRecord(@JsonProperty("state") String state,
                            @JsonProperty("kind") String kind,
                            @JsonProperty("host") String host,
                            @JsonProperty("holders") List<String> holders,
                            @JsonProperty("mac") String mac,
                            @JsonProperty("at") long at,
                            @JsonProperty("claim") String claim) {
    public static final String HELD = "held";
    public static final String RELEASED = "released";
    public static final String ENDPOINT = "endpoint";
    public static final String GATEWAY = "gateway";

    public static AddressRecord endpoint(String host, String mac, long at, String claim) {
        return new AddressRecord(HELD, ENDPOINT, host, null, mac, at, claim);
    }

    public static AddressRecord gateway(List<String> holders, long at, String claim) {
        return new AddressRecord(HELD, GATEWAY, null, List.copyOf(new TreeSet<>(holders)), null, at, claim);
    }

    public static AddressRecord released(String host, long at) {
        return new AddressRecord(RELEASED, null, host, null, null, at, null);
    }

    @JsonIgnore
    public boolean isHeld() {
        return HELD.equals(state);
    }

    @JsonIgnore
    public boolean isGateway() {
        return isHeld() && GATEWAY.equals(kind);
    }

    /** Whether this host holds it (as the endpoint's host or one of the gateway's holders). */
    public boolean heldBy(String hostId) {
        return isHeld() && (isGateway() ? holders != null && holders.contains(hostId) : hostId.equals(host));
    }

    /** Who holds it, for error messages. */
    public String holderText() {
        return isGateway() ? "the gateway of hosts " + holders : "host " + host;
    }
}
