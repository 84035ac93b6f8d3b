package dev.berth.host.api.volume;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.berth.host.api.Identified;
import dev.berth.host.api.Wire;

/** Requests that carry only the volume name: Remove, Path, Get. */
public record VolumeRequest(@JsonProperty("Name") String name) implements Identified {
    public VolumeRequest {
        name = Wire.required(name, "Name");
    }

    @Override
    public String ids() {
        return "volume=" + name;
    }
}
