package dev.berth.docker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * What it takes to create a container again, on this daemon or another: the body of {@code POST /containers/create}
 * made from the container's inspect ({@code GET /containers/{id}/json}), the way {@code docker run} would have sent it.
 * Immutable; the {@code with...} methods return changed copies.
 *
 * <ul>
 *   <li>{@code Config}: what the container was created with (Image by the reference it was run with, Cmd, Entrypoint,
 *       Env, Labels, WorkingDir, User, ExposedPorts, Tty, StopSignal, Healthcheck ...), without the Hostname docker
 *       made up from the ID (a new container gets a new one) and without what only the daemon sets.</li>
 *   <li>{@code HostConfig}: as inspected (Binds, Mounts, RestartPolicy, PortBindings, limits, LogConfig, Dns ...),
 *       less the fields that only describe the old daemon ({@code ContainerIDFile}, {@code ConsoleSize}, the default
 *       {@code MaskedPaths} and {@code ReadonlyPaths}, the deprecated kernel-memory limits); a {@code NetworkMode}
 *       given as a network ID becomes the network's name. An anonymous volume is bound by its name, so the new
 *       container finds the same (migrated) data instead of an empty new volume.</li>
 *   <li>{@code NetworkingConfig}: one endpoint per network, by name, with its aliases (less the short container ID
 *       docker adds itself), its links and driver options, and, by default ({@link #withAddresses}), the container's
 *       current addresses as {@code IPAMConfig} so it keeps them; on the default bridge (which refuses both) no
 *       addresses or aliases. API 1.41 creates a container on one network only: {@link #createBody()} holds the
 *       primary network, {@link #endpoints()} every one, and {@link DockerApi#createContainer} connects the rest.</li>
 * </ul>
 *
 * <pre>{@code
 * ContainerSpec spec = ContainerSpec.from(source.containerJson("web"));
 * if (!target.imageExists(spec.imageId())) { ... save and load the image ... }
 * for (ContainerSpec.Volume v : spec.volumes()) { ... create v.name() with v.driver() on the target ... }
 * String id = target.createContainer(spec.name(), spec);
 * target.startContainer(id);
 * }</pre>
 */
public final class ContainerSpec {
    /** Networks docker makes itself, which take neither a fixed address nor aliases. */
    private static final Set<String> BUILT_IN_NETWORKS = Set.of("bridge", "default", "host", "none");
    /** HostConfig fields that describe the old daemon, not the container. */
    private static final List<String> DAEMON_FIELDS = List.of("ContainerIDFile", "ConsoleSize", "MaskedPaths",
            "ReadonlyPaths", "KernelMemory", "KernelMemoryTCP");
    /** Config fields the daemon sets, or that only matter to an attached client. */
    private static final List<String> CONFIG_DROPPED = List.of("AttachStdin", "AttachStdout", "AttachStderr",
            "StdinOnce", "OnBuild", "ArgsEscaped");

    private final String name;
    private final String imageId;
    private final ObjectNode config;
    private final ObjectNode hostConfig;
    private final Map<String, Endpoint> networks;
    private final String primaryNetwork;
    private final Map<String, ObjectNode> endpointExtras;
    private final List<Volume> volumes;
    private final boolean keepAddresses;
    private final boolean keepMacAddress;

    private ContainerSpec(String name, String imageId, ObjectNode config, ObjectNode hostConfig,
                          Map<String, Endpoint> networks, String primaryNetwork, Map<String, ObjectNode> endpointExtras,
                          List<Volume> volumes, boolean keepAddresses, boolean keepMacAddress) {
        this.name = name;
        this.imageId = imageId;
        this.config = config;
        this.hostConfig = hostConfig;
        this.networks = networks;
        this.primaryNetwork = primaryNetwork;
        this.endpointExtras = endpointExtras;
        this.volumes = volumes;
        this.keepAddresses = keepAddresses;
        this.keepMacAddress = keepMacAddress;
    }

    /**
     * The spec of an inspected container ({@link DockerApi#containerJson}), keeping its addresses but not its MAC.
     *
     * @throws IllegalArgumentException when {@code inspect} is not a container's inspect (no {@code Config.Image})
     */
    public static ContainerSpec from(JsonNode inspect) {
        Objects.requireNonNull(inspect, "inspect");
        if (!inspect.path("Config").path("Image").isTextual()) {
            throw new IllegalArgumentException("not a container's inspect: no Config.Image");
        }
        String id = inspect.path("Id").asText("");
        ObjectNode config = inspect.get("Config").deepCopy();
        CONFIG_DROPPED.forEach(config::remove);
        if (!id.isEmpty() && id.startsWith(config.path("Hostname").asText("\0"))) {
            config.remove("Hostname"); // made up by docker from the ID
        }
        ObjectNode hostConfig = inspect.path("HostConfig").isObject() ? inspect.get("HostConfig").deepCopy()
                : JsonNodeFactory.instance.objectNode();
        DAEMON_FIELDS.forEach(hostConfig::remove);

        Map<String, Endpoint> networks = new LinkedHashMap<>();
        Map<String, ObjectNode> extras = new LinkedHashMap<>();
        String shortId = id.length() >= 12 ? id.substring(0, 12) : id;
        String mode = hostConfig.path("NetworkMode").asText("");
        String primary = null;
        String byId = null;
        for (Map.Entry<String, JsonNode> f : inspect.path("NetworkSettings").path("Networks").properties()) {
            String network = f.getKey();
            JsonNode ep = f.getValue();
            List<String> aliases = new ArrayList<>();
            ep.path("Aliases").forEach(a -> {
                if (!a.asText().equals(shortId) && !a.asText().isEmpty()) {
                    aliases.add(a.asText());
                }
            });
            networks.put(network, new Endpoint(network, ep.path("IPAddress").asText(""),
                    ep.path("GlobalIPv6Address").asText(""), ep.path("MacAddress").asText(""), aliases));
            ObjectNode extra = JsonNodeFactory.instance.objectNode();
            for (String keep : List.of("Links", "DriverOpts")) {
                if (ep.hasNonNull(keep)) {
                    extra.set(keep, ep.get(keep).deepCopy());
                }
            }
            if (ep.path("IPAMConfig").path("LinkLocalIPs").isArray()) {
                extra.set("LinkLocalIPs", ep.get("IPAMConfig").get("LinkLocalIPs").deepCopy());
            }
            extras.put(network, extra);
            String networkId = ep.path("NetworkID").asText("");
            if (network.equals(mode)) {
                primary = network;
            } else if (mode.matches("[0-9a-f]{12,64}") && networkId.startsWith(mode)) {
                byId = network;
            }
        }
        if (primary == null && byId != null) {
            primary = byId;
            hostConfig.put("NetworkMode", byId); // a network ID means nothing to another daemon
        }
        if (primary == null && !networks.isEmpty() && !mode.startsWith("container:")) {
            primary = networks.keySet().iterator().next();
        }
        Map<String, Endpoint> ordered = new LinkedHashMap<>();
        if (primary != null) {
            ordered.put(primary, networks.get(primary));
        }
        ordered.putAll(networks);
        List<Volume> volumes = volumes(inspect, hostConfig);
        return new ContainerSpec(Container.stripSlash(inspect.path("Name").asText("")),
                inspect.path("Image").asText(""), config, hostConfig, Collections.unmodifiableMap(ordered), primary,
                extras, volumes, true, false);
    }

    /** The container's name, without its slash; empty if the inspect had none. */
    public String name() {
        return name;
    }

    /** {@code Config.Image}: the reference the container was run with, such as {@code nginx:1.25} or an image ID. */
    public String image() {
        return config.path("Image").asText();
    }

    /** The ID of the image it ran ({@code sha256:...}), to check the target has that very image. */
    public String imageId() {
        return imageId;
    }

    /** Its networks by name, the primary one (its {@code NetworkMode}) first, with their current addresses. */
    public Map<String, Endpoint> networks() {
        return networks;
    }

    /** The network it is created on ({@code HostConfig.NetworkMode}'s), or null (no network, or another container's). */
    public String primaryNetwork() {
        return primaryNetwork;
    }

    /** Its volumes (named and anonymous) by destination, each with the driver to create it with on another daemon. */
    public List<Volume> volumes() {
        return volumes;
    }

    /** The names of its volumes. */
    public List<String> volumeNames() {
        return volumes.stream().map(Volume::name).toList();
    }

    /** Whether the endpoints ask for the container's current addresses. */
    public boolean keepsAddresses() {
        return keepAddresses;
    }

    /** Whether the container asks for its current MAC address on its primary network. */
    public boolean keepsMacAddress() {
        return keepMacAddress;
    }

    /** The same spec, asking (true, the default) or not for the current addresses on every user-defined network. */
    public ContainerSpec withAddresses(boolean keep) {
        return new ContainerSpec(name, imageId, config, hostConfig, networks, primaryNetwork, endpointExtras, volumes,
                keep, keepMacAddress);
    }

    /** The same spec, asking (or, the default, not) for the current MAC address on the primary network. */
    public ContainerSpec withMacAddress(boolean keep) {
        return new ContainerSpec(name, imageId, config, hostConfig, networks, primaryNetwork, endpointExtras, volumes,
                keepAddresses, keep);
    }

    /** The same spec for another image reference, for example {@link #imageId()} to insist on the very image. */
    public ContainerSpec withImage(String image) {
        if (image == null || image.isBlank()) {
            throw new IllegalArgumentException("an image reference is required");
        }
        ObjectNode changed = config.deepCopy();
        changed.put("Image", image);
        return new ContainerSpec(name, imageId, changed, hostConfig, networks, primaryNetwork, endpointExtras, volumes,
                keepAddresses, keepMacAddress);
    }

    /** The same spec under another name (for {@link DockerApi#createContainer(String, ContainerSpec)}'s callers that want it). */
    public ContainerSpec withName(String newName) {
        return new ContainerSpec(Objects.requireNonNull(newName, "name"), imageId, config, hostConfig, networks,
                primaryNetwork, endpointExtras, volumes, keepAddresses, keepMacAddress);
    }

    /**
     * The body of {@code POST /containers/create}: Config's fields, {@code HostConfig}, and {@code NetworkingConfig}
     * with the primary network's endpoint. A fresh copy each call.
     */
    public ObjectNode createBody() {
        ObjectNode body = config.deepCopy();
        Endpoint primary = primaryNetwork == null ? null : networks.get(primaryNetwork);
        if (keepMacAddress && primary != null && !primary.macAddress().isEmpty()) {
            body.put("MacAddress", primary.macAddress()); // API 1.41: the primary endpoint's MAC is Config's
        }
        body.set("HostConfig", hostConfig.deepCopy());
        ObjectNode endpoints = body.putObject("NetworkingConfig").putObject("EndpointsConfig");
        if (primaryNetwork != null) {
            ObjectNode ep = endpointConfig(primaryNetwork);
            if (!ep.isEmpty() || !BUILT_IN_NETWORKS.contains(primaryNetwork)) {
                endpoints.set(primaryNetwork, ep);
            }
        }
        return body;
    }

    /** Every network's {@code EndpointSettings} for create or {@code POST /networks/{id}/connect}, primary first. */
    public Map<String, ObjectNode> endpoints() {
        Map<String, ObjectNode> all = new LinkedHashMap<>();
        if (primaryNetwork != null) {
            all.put(primaryNetwork, endpointConfig(primaryNetwork));
        }
        for (String network : networks.keySet()) {
            all.putIfAbsent(network, endpointConfig(network));
        }
        return all;
    }

    private ObjectNode endpointConfig(String network) {
        Endpoint ep = networks.get(network);
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        ObjectNode extra = endpointExtras.get(network);
        if (extra.has("Links")) {
            node.set("Links", extra.get("Links").deepCopy());
        }
        if (extra.has("DriverOpts")) {
            node.set("DriverOpts", extra.get("DriverOpts").deepCopy());
        }
        if (BUILT_IN_NETWORKS.contains(network)) {
            return node;
        }
        if (!ep.aliases().isEmpty()) {
            ArrayNode aliases = node.putArray("Aliases");
            ep.aliases().forEach(aliases::add);
        }
        ObjectNode ipam = JsonNodeFactory.instance.objectNode();
        if (keepAddresses && !ep.ipv4Address().isEmpty()) {
            ipam.put("IPv4Address", ep.ipv4Address());
        }
        if (keepAddresses && !ep.ipv6Address().isEmpty()) {
            ipam.put("IPv6Address", ep.ipv6Address());
        }
        if (extra.has("LinkLocalIPs")) {
            ipam.set("LinkLocalIPs", extra.get("LinkLocalIPs").deepCopy());
        }
        if (!ipam.isEmpty()) {
            node.set("IPAMConfig", ipam);
        }
        if (keepMacAddress && !ep.macAddress().isEmpty()) {
            node.put("MacAddress", ep.macAddress()); // honoured on connect, and on create from API 1.44
        }
        return node;
    }

    /** Volume mounts; an anonymous one (no bind names it) is added to Binds by name so the data stays with it. */
    private static List<Volume> volumes(JsonNode inspect, ObjectNode hostConfig) {
        List<JsonNode> mounts = new ArrayList<>();
        inspect.path("Mounts").forEach(mounts::add);
        // Docker lists them in no particular order (a Go map): by destination, so two inspects give one spec
        mounts.sort(java.util.Comparator.comparing(m -> m.path("Destination").asText("")));
        List<Volume> volumes = new ArrayList<>();
        for (JsonNode m : mounts) {
            if (!m.path("Type").asText().equals("volume") || m.path("Name").asText("").isEmpty()) {
                continue;
            }
            String volume = m.get("Name").asText();
            String destination = m.path("Destination").asText("");
            boolean readOnly = m.has("RW") && !m.get("RW").asBoolean();
            String driver = m.path("Driver").asText("");
            volumes.add(new Volume(volume, driver.isEmpty() ? "local" : driver, destination, readOnly));
            if (!named(hostConfig, destination)) {
                ArrayNode binds = hostConfig.path("Binds").isArray() ? (ArrayNode) hostConfig.get("Binds")
                        : hostConfig.putArray("Binds");
                binds.add(volume + ":" + destination + (readOnly ? ":ro" : ""));
            }
        }
        return List.copyOf(volumes);
    }

    /** Whether Binds or Mounts already say what is mounted at {@code destination}. */
    private static boolean named(ObjectNode hostConfig, String destination) {
        for (JsonNode b : hostConfig.path("Binds")) {
            String[] parts = b.asText().split(":");
            if (parts.length >= 2 && parts[1].equals(destination)) {
                return true;
            }
        }
        for (JsonNode m : hostConfig.path("Mounts")) {
            if (m.path("Target").asText().equals(destination)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ContainerSpec s && name.equals(s.name) && createBody().equals(s.createBody())
                && endpoints().equals(s.endpoints());
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, createBody());
    }

    /** The name and the create body as JSON. */
    @Override
    public String toString() {
        return name + " " + createBody();
    }

    /**
     * A network the container is on, as it is now: {@code ipv4Address} bare ({@code 10.1.0.2}), empty when it has none.
     * {@code aliases} are the network-scoped aliases given, without the short container ID docker adds.
     */
    public record Endpoint(String network, String ipv4Address, String ipv6Address, String macAddress,
                           List<String> aliases) {
        public Endpoint {
            Objects.requireNonNull(network, "network");
            ipv4Address = Nulls.string(ipv4Address);
            ipv6Address = Nulls.string(ipv6Address);
            macAddress = Nulls.string(macAddress);
            aliases = Nulls.list(aliases);
        }
    }

    /** A volume mounted at {@code destination}; {@code driver} is {@code local} unless a plugin's. */
    public record Volume(String name, String driver, String destination, boolean readOnly) {
        public Volume {
            Objects.requireNonNull(name, "name");
            driver = Nulls.string(driver);
            destination = Nulls.string(destination);
        }
    }
}
