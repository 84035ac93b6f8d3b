package dev.berth.host.api.volume;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.berth.host.api.Identified;
import dev.berth.host.api.Wire;
import java.util.Map;

/** {@code /VolumeDriver.Create}: Opts are the {@code -o key=value} options of {@code docker volume create}. */
public record CreateRequest(@JsonProperty("Name") String name,
                            @JsonProperty("Opts") Map<String, String> opts) implements Identified {
    public CreateRequest {
        name = Wire.required(name, "Name");
        opts = Wire.map(opts);
    }

    @Override
    public String ids() {
        return "volume=" + name;
    }
}
