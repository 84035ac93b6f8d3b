package dev.berth.packaging;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
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
 *  "mounts": [{"source": "/var/lib/berth", "destination": "/var/lib/berth", "options": ["rbind"], "why": "state"},
 *             {"name": "docker-socket", "settable": ["source"], "source": "/run/docker.sock",
 *              "destination": "/run/docker.sock", "why": "ask this host's Docker which containers run"}],
 *  "env": [{"name": "BERTH_KV", "value": "", "why": "cluster store URL; empty = embedded store"}],
 *  "binaries": ["/sbin/zfs"], "jvmOptions": []}
 * }</pre>
 * A service ({@code "kind": "service"}) may also ask for a CPU weight with its reason:
 * {@code "cpu": {"shares": 4096, "why": "..."}} ({@link Cpu}).
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
        @JsonProperty("jvmOptions") List<String> jvmOptions,
        @JsonProperty("kind") String kind,
        @JsonProperty("cpu") Cpu cpu) {

    /** A Docker managed plugin (the default). */
    public static final String PLUGIN = "plugin";
    /**
     * A service that is not a Docker plugin type (the DNS server): the same bundle, run as a container with the
     * host's network and {@code --restart always} ({@link ServiceInstaller}).
     */
    public static final String SERVICE = "service";

    /** A managed plugin's descriptor. */
    public PluginDescriptor(String name, String description, String mainClass, List<String> interfaceTypes,
                            String network, String propagatedMount, List<Capability> capabilities,
                            List<Device> devices, List<Mount> mounts, List<EnvVar> env, List<String> binaries,
                            List<String> jvmOptions) {
        this(name, description, mainClass, interfaceTypes, network, propagatedMount, capabilities, devices, mounts,
                env, binaries, jvmOptions, PLUGIN, null);
    }

    /**
     * A service's CPU weight against the host's containers ({@code docker run --cpu-shares}; Docker's default is
     * 1024), with the reason. Managed plugins have no such setting. Example: the wireguard-go keeper, whose
     * encryption carries every container's traffic and would otherwise get one container's share when containers
     * keep the CPU busy.
     */
    public record Cpu(@JsonProperty("shares") int shares, @JsonProperty("why") String why) {
    }

    private static final Pattern NAME = Pattern.compile("[a-z0-9]+(?:[._-][a-z0-9]+)*/[a-z0-9]+(?:[._-][a-z0-9]+)*");
    private static final Pattern CAP = Pattern.compile("CAP_[A-Z_]+");
    private static final Pattern MOUNT_NAME = Pattern.compile("[a-z0-9]+(?:-[a-z0-9]+)*");
    private static final List<String> TYPES = List.of("docker.networkdriver/1.0", "docker.ipamdriver/1.0",
            "docker.volumedriver/1.0", "docker.authz/1.0", "docker.logdriver/1.0", "docker.metricscollector/1.0");

    public record Capability(@JsonProperty("name") String name, @JsonProperty("why") String why) {
    }

    public record Device(@JsonProperty("path") String path, @JsonProperty("why") String why) {
    }

    /**
     * A host path mounted into the plugin. {@code name} labels it for {@code docker plugin set}; with
     * {@code settable: ["source"]} the operator (or {@link PluginInstaller}) may change its source per host:
     * {@code docker plugin set berth/x docker-socket.source=/run/other/docker.sock}. Docker allows nothing else of a
     * mount to be set.
     */
    public record Mount(@JsonProperty("source") String source, @JsonProperty("destination") String destination,
                        @JsonProperty("type") String type, @JsonProperty("options") List<String> options,
                        @JsonProperty("why") String why, @JsonProperty("name") String name,
                        @JsonProperty("settable") List<String> settable) {
        /** The one field of a mount that Docker lets {@code docker plugin set} change. */
        public static final String SOURCE = "source";

        public Mount {
            type = type == null ? "bind" : type;
            options = options == null ? List.of("rbind") : List.copyOf(options);
            name = name == null ? "" : name;
            settable = settable == null ? List.of() : List.copyOf(settable);
        }

        /** An unnamed mount that cannot be set. */
        public Mount(String source, String destination, String type, List<String> options, String why) {
            this(source, destination, type, options, why, null, null);
        }

        /** Whether {@code docker plugin set NAME <name>.source=PATH} may change it. */
        public boolean sourceSettable() {
            return settable.contains(SOURCE);
        }

        /** The key of its source among {@link PluginInstaller#ensure} settings: {@code docker-socket.source}. */
        public String sourceKey() {
            return name + "." + SOURCE;
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
        kind = kind == null ? PLUGIN : kind;
        require(kind.equals(PLUGIN) || kind.equals(SERVICE), "kind must be plugin or service, not " + kind);
        require(kind.equals(SERVICE) || !interfaceTypes.isEmpty(), "interfaceTypes is required");
        require(kind.equals(PLUGIN) || interfaceTypes.isEmpty(), "a service implements no plugin interface");
        require(kind.equals(PLUGIN) || propagatedMount == null || propagatedMount.isEmpty(),
                "a service has no propagatedMount");
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
        env = List.copyOf(orEmpty(env));
        Set<String> mountNames = new HashSet<>();
        for (Mount m : mounts) {
            require(m.why() != null && !m.why().isBlank(), "mount " + m.destination() + " needs a reason (why)");
            require(m.name().isEmpty() || MOUNT_NAME.matcher(m.name()).matches(), "mount name '" + m.name()
                    + "' must be lower case letters, digits and dashes (docker plugin set splits NAME.FIELD at dots)");
            require(m.settable().isEmpty() || !m.name().isEmpty(),
                    "mount " + m.destination() + " is settable, so it needs a name (docker plugin set NAME.source=...)");
            require(m.settable().stream().allMatch(Mount.SOURCE::equals),
                    "mount " + m.destination() + ": Docker lets only its source be set, not " + m.settable());
            require(m.name().isEmpty() || mountNames.add(m.name()), "two mounts are named " + m.name());
            require(env.stream().noneMatch(e -> e.name().equals(m.name())),
                    "mount name " + m.name() + " is also an env name: docker plugin set would change the env");
        }
        binaries = List.copyOf(orEmpty(binaries));
        jvmOptions = List.copyOf(orEmpty(jvmOptions));
        if (cpu != null) {
            require(kind.equals(SERVICE), "only a service has a cpu weight: Docker gives managed plugins none");
            require(cpu.shares() >= 2 && cpu.shares() <= 262144, "cpu.shares must be 2 to 262144 (Docker's "
                    + "range), not " + cpu.shares());
            require(cpu.why() != null && !cpu.why().isBlank(), "cpu.shares needs a reason (why)");
        }
    }

    public boolean isService() {
        return SERVICE.equals(kind);
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
