package dev.berth.docker;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /containers/{id}/json} (Docker's {@code ContainerJSON}), only the fields Berth reads. {@code Name} has a
 * leading slash ({@code /web}): {@link #shortName()} drops it.
 */
public record Container(@JsonProperty("Id") String id,
                        @JsonProperty("Name") String name,
                        @JsonProperty("State") State state,
                        @JsonProperty("Config") Config config,
                        @JsonProperty("HostConfig") HostConfig hostConfig,
                        @JsonProperty("NetworkSettings") NetworkSettings networkSettings,
                        @JsonProperty("Mounts") List<MountPoint> mounts) {
    public Container {
        id = Nulls.string(id);
        name = Nulls.string(name);
        state = state == null ? new State(false, 0, null) : state;
        config = config == null ? new Config(null, null, null, null, null) : config;
        hostConfig = hostConfig == null ? new HostConfig(null, null, null) : hostConfig;
        networkSettings = networkSettings == null ? NetworkSettings.NONE : networkSettings;
        mounts = Nulls.list(mounts);
    }

    /** The name without its leading slash. */
    public String shortName() {
        return stripSlash(name);
    }

    static String stripSlash(String name) {
        return name.startsWith("/") ? name.substring(1) : name;
    }

    /** {@code Status} is {@code created}, {@code running}, {@code paused}, {@code restarting}, {@code exited} or {@code dead}. */
    public record State(@JsonProperty("Running") boolean running,
                        @JsonProperty("Pid") long pid,
                        @JsonProperty("Status") String status) {
        public State {
            status = Nulls.string(status);
        }
    }

    /** What the container was created with; {@code Env} entries are {@code NAME=value}. */
    public record Config(@JsonProperty("Image") String image,
                         @JsonProperty("Cmd") List<String> cmd,
                         @JsonProperty("Env") List<String> env,
                         @JsonProperty("Labels") Map<String, String> labels,
                         @JsonProperty("Hostname") String hostname) {
        public Config {
            image = Nulls.string(image);
            cmd = Nulls.list(cmd);
            env = Nulls.list(env);
            labels = Nulls.map(labels);
            hostname = Nulls.string(hostname);
        }
    }

    /** {@code NetworkMode} is {@code default}, {@code bridge}, {@code host}, {@code none}, a network name or {@code container:ID}. */
    public record HostConfig(@JsonProperty("RestartPolicy") RestartPolicy restartPolicy,
                             @JsonProperty("Binds") List<String> binds,
                             @JsonProperty("NetworkMode") String networkMode) {
        public HostConfig {
            restartPolicy = restartPolicy == null ? new RestartPolicy(null, 0) : restartPolicy;
            binds = Nulls.list(binds);
            networkMode = Nulls.string(networkMode);
        }
    }

    /** {@code Name} is empty or {@code no}, {@code always}, {@code unless-stopped} or {@code on-failure}. */
    public record RestartPolicy(@JsonProperty("Name") String name,
                                @JsonProperty("MaximumRetryCount") int maximumRetryCount) {
        public RestartPolicy {
            name = Nulls.string(name);
        }
    }
}
