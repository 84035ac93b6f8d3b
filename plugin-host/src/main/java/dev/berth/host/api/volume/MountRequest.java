package dev.berth.host.api.volume;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.berth.host.api.Identified;
import dev.berth.host.api.Wire;

/** Mount and Unmount: ID names the caller (a container); the same ID may come twice ({@code docker cp}). */
public record MountRequest(@JsonProperty("Name") String name,
                           @JsonProperty("ID") String id) implements Identified {
    public MountRequest {
        name = Wire.required(name, "Name");
        id = Wire.required(id, "ID");
    }

    @Override
    public String ids() {
        return "volume=" + name + " mount=" + id;
    }
}
