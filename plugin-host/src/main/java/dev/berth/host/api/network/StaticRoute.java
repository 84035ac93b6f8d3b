package dev.berth.host.api.network;

import com.fasterxml.jackson.annotation.JsonProperty;

/** A route Docker installs in the sandbox. RouteType 0 = via NextHop, 1 = directly connected. */
public record StaticRoute(@JsonProperty("Destination") String destination,
                          @JsonProperty("RouteType") int routeType,
                          @JsonProperty("NextHop") String nextHop) {
    public static final int NEXT_HOP = 0;
    public static final int CONNECTED = 1;
}
