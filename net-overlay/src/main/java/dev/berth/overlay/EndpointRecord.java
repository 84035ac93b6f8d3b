package dev.berth.overlay;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * One endpoint as every peer sees it ({@code overlay/endpoints/<network-key>/<ipv4>}, under its host's lease): where
 * its host's VXLAN tunnel ends (the VTEP, the host's underlay address) and the endpoint's MAC and addresses. Keyed by
 * address, so that one address is held by one endpoint in the whole cluster.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record EndpointRecord(@JsonProperty("host") String host,
                             @JsonProperty("endpoint") String endpoint,
                             @JsonProperty("vtep") String vtep,
                             @JsonProperty("mac") String mac,
                             @JsonProperty("ipv4") String ipv4,
                             @JsonProperty("ipv6") String ipv6) {
}
