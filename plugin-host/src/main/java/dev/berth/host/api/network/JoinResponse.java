package dev.berth.host.api.network;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/** Answer to Join. With no Gateway and DisableGatewayService false, Docker adds a docker_gwbridge endpoint. */
public record JoinResponse(@JsonProperty("InterfaceName") InterfaceName interfaceName,
                           @JsonProperty("Gateway") String gateway,
                           @JsonProperty("GatewayIPv6") String gatewayIpv6,
                           @JsonProperty("StaticRoutes") List<StaticRoute> staticRoutes,
                           @JsonProperty("DisableGatewayService") boolean disableGatewayService) {
}
