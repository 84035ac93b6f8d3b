package dev.berth.host.api.volume;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Answer to Mount and Path: the directory, as the plugin sees it. */
public record MountpointResponse(@JsonProperty("Mountpoint") String mountpoint) {
}
