package dev.berth.packaging;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;

/**
 * What a plugin module says about itself ({@code plugin.json} beside its jars): its Docker name, main class, the
 * interface it implements, and every privilege it needs with the reason. The bundle builder turns it into Docker's
 * {@code config.json}. Example:
 *
 * <pre>{@code
 * {"name": "berth/zfs", "mainClass": "dev.berth.zfs.Main", "interfaceTypes": ["docker.volumedriver/1.0"],
 *  "network": "host", "propagatedMount": "/var/lib/berth/zfs/mnt",
 *  "capabilities": [{"name": "CAP_SYS_ADMIN", "why": "mount datasets"}],
 *  "devices": [{"path": "/dev/zfs", "why": "talk to the ZFS kernel module"}],
 *  "mounts": [{"source": "/var/lib/berth", "destination": "/var/lib/berth", "options": ["rbind"], "why": "state"}],
 *  "env": [{"name": "BERTH_KV", "value": "", "why": "cluster store URL; empty = embedded store"}],
 *  "binaries": ["/sbin/zfs"], "jvmOptions": []}
 * }</pre>
 */
public record PluginDescriptor(
        @JsonProperty("name") String name,
        @JsonProperty("description") String description,
        @JsonProperty("mainClass") String mainClass,
        @JsonProperty("interfaceTypes") List<String> interfaceTypes,
        @JsonProperty("network") String network,
        @JsonProperty("propagatedMount") String propagatedMount,
        @JsonProperty("capabilities") List<Capability> capabilities,
        @JsonProperty("devices") List<Device> devices,
        @JsonProperty("mounts") List<Mount> mounts,
        @JsonProperty("env") List<EnvVar> env,
        @JsonProperty("binaries") List<String> binaries,
        @JsonProperty("jvmOptions") List<String> jvmOptions) {

    private static final Pattern NAME = Pattern.compile("[a-z0-9]+(?:[._-][a-z0-9]+)*/[a-z0-9]+(?:[._-][a-z0-9]+)*");
    private static final Pattern CAP = Pattern.compile("CAP_[A-Z_]+");
    private static final List<String> TYPES = List.of("docker.networkdriver/1.0", "docker.ipamdriver/1.0",
            "docker.volumedriver/1.0", "docker.authz/1.0", "docker.logdriver/1.0", "docker.metricscollector/1.0");

    public record Capability(@JsonProperty("name") String name, @JsonProperty("why") String why) {
    }

    public record Device(@JsonProperty("path") String path, @JsonProperty("why") String why) {
    }

    public record Mount(@JsonProperty("source") String source, @JsonProperty("destination") String destination,
                        @JsonProperty("type") String type, @JsonProperty("options") List<String> options,
                        @JsonProperty("why") String why) {
        public Mount {
            type = type == null ? "bind" : type;
            options = options == null ? List.of("rbind") : List.copyOf(options);
        }
    }

    public record EnvVar(@JsonProperty("name") String name, @JsonProperty("value") String value,
                         @JsonProperty("why") String why) {
        public EnvVar {
            value = value == null ? "" : value;
        }
    }

    public PluginDescriptor {
        require(name != null && NAME.matcher(name).matches(), "name '" + name + "' is not a Docker plugin name (a/b)");
        require(mainClass != null && !mainClass.isBlank(), "mainClass is required");
        interfaceTypes = List.copyOf(orEmpty(interfaceTypes));
        require(!interfaceTypes.isEmpty(), "interfaceTypes is required");
        for (String t : interfaceTypes) {
            require(TYPES.contains(t), "unknown interface type " + t + "; one of " + TYPES);
        }
        network = network == null ? "none" : network;
        require(List.of("none", "host", "bridge").contains(network), "network must be none, host or bridge");
        description = description == null ? "" : description;
        propagatedMount = propagatedMount == null ? "" : propagatedMount;
        capabilities = List.copyOf(orEmpty(capabilities));
        for (Capability c : capabilities) {
            require(CAP.matcher(c.name()).matches(), "capability " + c.name() + " is not CAP_*");
            require(c.why() != null && !c.why().isBlank(), "capability " + c.name() + " needs a reason (why)");
        }
        devices = List.copyOf(orEmpty(devices));
        for (Device d : devices) {
            require(d.why() != null && !d.why().isBlank(), "device " + d.path() + " needs a reason (why)");
        }
        mounts = List.copyOf(orEmpty(mounts));
        for (Mount m : mounts) {
            require(m.why() != null && !m.why().isBlank(), "mount " + m.destination() + " needs a reason (why)");
        }
        env = List.copyOf(orEmpty(env));
        binaries = List.copyOf(orEmpty(binaries));
        jvmOptions = List.copyOf(orEmpty(jvmOptions));
    }

    public static PluginDescriptor read(Path file) {
        try {
            return new ObjectMapper().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                    .readValue(file.toFile(), PluginDescriptor.class);
        } catch (com.fasterxml.jackson.databind.exc.ValueInstantiationException e) {
            if (e.getCause() instanceof IllegalArgumentException iae) {
                throw new IllegalArgumentException(file + ": " + iae.getMessage(), iae);
            }
            throw new UncheckedIOException("cannot read plugin descriptor " + file + ": " + e.getMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read plugin descriptor " + file + ": " + e.getMessage(), e);
        }
    }

    private static <T> List<T> orEmpty(List<T> list) {
        return list == null ? List.of() : list;
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException("plugin.json: " + message);
        }
    }
}
