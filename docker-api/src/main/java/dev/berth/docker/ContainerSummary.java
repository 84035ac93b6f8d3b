package dev.berth.docker;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;

/**
 * One container of {@code GET /containers/json} (Docker's {@code types.Container}). {@code Names} carry a leading
 * slash ({@code /web}); {@code State} is one word ({@code running}, {@code exited}), {@code Status} the text
 * {@code docker ps} shows ({@code Up 3 seconds}).
 */
public record ContainerSummary(@JsonProperty("Id") String id,
                               @JsonProperty("Names") List<String> names,
                               @JsonProperty("Image") String image,
                               @JsonProperty("State") String state,
                               @JsonProperty("Status") String status,
                               @JsonProperty("Labels") Map<String, String> labels,
                               @JsonProperty("NetworkSettings") NetworkSettings networkSettings,
                               @JsonProperty("Mounts") List<MountPoint> mounts) {
    public ContainerSummary {
        id = Nulls.string(id);
        names = Nulls.list(names);
        image = Nulls.string(image);
        state = Nulls.string(state);
        status = Nulls.string(status);
        labels = Nulls.map(labels);
        networkSettings = networkSettings == null ? NetworkSettings.NONE : networkSettings;
        mounts = Nulls.list(mounts);
    }

    /** The first name without its leading slash ({@code web}), or empty when it has none. */
    public String name() {
        return names.isEmpty() ? "" : Container.stripSlash(names.get(0));
    }
}
