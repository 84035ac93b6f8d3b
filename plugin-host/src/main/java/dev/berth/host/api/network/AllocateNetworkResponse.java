package dev.berth.host.api.network;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Map;

/** Options returned here reach CreateNetwork on the workers. */
public record AllocateNetworkResponse(@JsonProperty("Options") Map<String, String> options) {
}
