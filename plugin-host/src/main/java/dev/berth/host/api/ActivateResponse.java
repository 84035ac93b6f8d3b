package dev.berth.host.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/** Answer to {@code /Plugin.Activate}: the plugin interfaces this process implements. */
public record ActivateResponse(@JsonProperty("Implements") List<String> implementsInterfaces) {
}
