package dev.berth.packaging;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * Docker's managed-plugin {@code config.json} (plugin config v1) for a descriptor. Every privilege's reason goes into the
 * text Docker shows ({@code docker plugin inspect}): mounts and env carry a description field of their own; capabilities
 * and devices, which have none, are explained in the plugin description. A mount's {@code name} and {@code settable}
 * are written only when the descriptor gives them, so bundles without them keep their bytes (and digest).
 */
final class ConfigJson {
    static final String SOCKET = "berth.sock";
    static final String DIGEST_VAR = "BERTH_BUNDLE_DIGEST";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private ConfigJson() {
    }

    static byte[] render(PluginDescriptor d, List<String> jarNames, String digest) {
        ObjectNode root = JSON.createObjectNode();
        root.put("description", description(d));
        root.put("documentation", "https://github.com/berth-dev/berth#operators");
        ArrayNode entry = root.putArray("entrypoint");
        entry.add("/opt/java/bin/java");
        JvmOptions.DEFAULT.forEach(entry::add);
        d.jvmOptions().forEach(entry::add);
        entry.add("-cp");
        List<String> cp = new ArrayList<>();
        jarNames.forEach(j -> cp.add("/opt/berth/lib/" + j));
        entry.add(String.join(":", cp));
        entry.add(d.mainClass());
        root.put("workdir", "/");
        ObjectNode iface = root.putObject("interface");
        ArrayNode types = iface.putArray("types");
        d.interfaceTypes().forEach(types::add);
        iface.put("socket", SOCKET);
        root.putObject("network").put("type", d.network());
        ObjectNode linux = root.putObject("linux");
        ArrayNode caps = linux.putArray("capabilities");
        d.capabilities().forEach(c -> caps.add(c.name()));
        linux.put("allowAllDevices", false);
        ArrayNode devices = linux.putArray("devices");
        for (PluginDescriptor.Device dev : d.devices()) {
            devices.addObject().put("path", dev.path());
        }
        ArrayNode mounts = root.putArray("mounts");
        for (PluginDescriptor.Mount m : d.mounts()) {
            ObjectNode mount = mounts.addObject();
            if (!m.name().isEmpty()) {
                mount.put("name", m.name());
            }
            mount.put("description", m.why());
            mount.put("source", m.source());
            mount.put("destination", m.destination());
            mount.put("type", m.type());
            ArrayNode opts = mount.putArray("options");
            m.options().forEach(opts::add);
            if (!m.settable().isEmpty()) {
                ArrayNode settable = mount.putArray("settable");
                m.settable().forEach(settable::add);
            }
        }
        if (!d.propagatedMount().isEmpty()) {
            root.put("propagatedMount", d.propagatedMount());
        }
        ArrayNode env = root.putArray("env");
        addEnv(env, "BERTH_SOCKET", "/run/docker/plugins/" + SOCKET, "where the plugin listens (inside its container)",
                false);
        addEnv(env, "BERTH_PLUGIN_NAME", d.name(), "the plugin's name in logs and status", false);
        for (String kv : JvmOptions.ENVIRONMENT) {
            int eq = kv.indexOf('=');
            addEnv(env, kv.substring(0, eq), kv.substring(eq + 1), "keeps the idle plugin's memory small", false);
        }
        for (PluginDescriptor.EnvVar e : d.env()) {
            addEnv(env, e.name(), e.value(), e.why(), true);
        }
        if (digest != null) {
            addEnv(env, DIGEST_VAR, digest, "content digest of this bundle (berth up compares it to decide upgrades)",
                    false);
        }
        try {
            return JSON.writeValueAsBytes(root);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void addEnv(ArrayNode env, String name, String value, String why, boolean settable) {
        ObjectNode v = env.addObject();
        v.put("name", name);
        v.put("description", why);
        ArrayNode s = v.putArray("settable");
        if (settable) {
            s.add("value");
        }
        v.put("value", value);
    }

    private static String description(PluginDescriptor d) {
        StringBuilder sb = new StringBuilder(d.description().isEmpty() ? "Berth plugin " + d.name() : d.description());
        if (!d.capabilities().isEmpty()) {
            sb.append(" Capabilities:");
            d.capabilities().forEach(c -> sb.append(' ').append(c.name()).append(" (").append(c.why()).append(')'));
            sb.append('.');
        }
        if (!d.devices().isEmpty()) {
            sb.append(" Devices:");
            d.devices().forEach(dev -> sb.append(' ').append(dev.path()).append(" (").append(dev.why()).append(')'));
            sb.append('.');
        }
        if (d.capabilities().isEmpty() && d.devices().isEmpty()) {
            sb.append(" Runs with no extra capabilities or devices.");
        }
        return sb.toString();
    }
}
