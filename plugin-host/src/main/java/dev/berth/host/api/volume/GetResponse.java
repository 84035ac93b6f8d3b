package dev.berth.host.api.volume;

import com.fasterxml.jackson.annotation.JsonProperty;

/** {@code /VolumeDriver.Get}. */
public record GetResponse(@JsonProperty("Volume") Volume volume) {
}
