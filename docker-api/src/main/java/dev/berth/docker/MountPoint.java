package dev.berth.docker;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * One of a container's {@code Mounts}: {@code Type} is {@code volume}, {@code bind} or {@code tmpfs}; for a volume,
 * {@code Name} and {@code Driver} name it and {@code Source} is where its driver mounted it on the host.
 */
public record MountPoint(@JsonProperty("Type") String type,
                         @JsonProperty("Name") String name,
                         @JsonProperty("Source") String source,
                         @JsonProperty("Destination") String destination,
                         @JsonProperty("Driver") String driver) {
    public MountPoint {
        type = Nulls.string(type);
        name = Nulls.string(name);
        source = Nulls.string(source);
        destination = Nulls.string(destination);
        driver = Nulls.string(driver);
    }
}
