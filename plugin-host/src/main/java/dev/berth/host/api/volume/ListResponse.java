package dev.berth.host.api.volume;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/** {@code /VolumeDriver.List}. */
public record ListResponse(@JsonProperty("Volumes") List<Volume> volumes) {
}
