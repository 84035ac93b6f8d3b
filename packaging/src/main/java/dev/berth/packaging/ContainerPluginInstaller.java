package dev.berth.packaging;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.exec.Command;
import dev.berth.exec.CommandResult;
import dev.berth.exec.DockerCli;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Runs a bundle as an ordinary container that serves Docker's plugin protocol as a legacy (v1) plugin, for drivers
 * that a managed plugin cannot serve on some hosts: {@code berth/zfs}, whose datasets are mounted by the zfs-fuse
 * daemon in the host's namespace, while a managed plugin's Mountpoints are confined to its rootfs or its
 * {@code propagatedMount} (which fails on the lab's nested namespaces; see the README).
 *
 * <p>The container is made from the same bundle: its rootfs imported as an image, the same entrypoint, the same
 * descriptor's mounts (with {@code bind-propagation=rslave} where the descriptor says {@code rslave}, so host mounts
 * made later appear inside), capabilities ({@code --cap-drop ALL} plus those listed) and env. Its socket is
 * {@code /run/docker/plugins/<name>.sock} in the daemon's plugin directory, where Docker finds {@code -d <name>}
 * ({@code berth/zfs} at {@code /run/docker/plugins/berth/zfs.sock}). {@code --restart always} brings it back after a
 * crash or a daemon restart. Idempotent like {@link PluginInstaller}: same bundle digest and settings, nothing
 * changes. A propagating mount ({@code rshared}, {@code rslave}) whose destination equals its settable source keeps
 * that identity when the source is set: the paths mounted there must mean the same inside and outside.
 *
 * <p>Equivalent to: {@code tar -C rootfs -c . | docker import - IMAGE; docker run -d --name berth-zfs ...}.
 */
public final class ContainerPluginInstaller {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PLUGIN_DIR = "/run/docker/plugins";
    private static final String LABEL = "dev.berth.plugin";
    private static final String DIGEST_LABEL = "dev.berth.digest";
    private final DockerCli docker;

    public ContainerPluginInstaller(DockerCli docker) {
        this.docker = docker;
    }

    /** {@code berth-zfs} for {@code berth/zfs}. */
    public static String containerName(String pluginName) {
        return pluginName.replace('/', '-');
    }

    /** Where the plugin listens, inside its container and on the host alike. */
    public static String socketPath(String pluginName) {
        return PLUGIN_DIR + "/" + pluginName + ".sock";
    }

    /**
     * Installs or replaces the container. Settings are env names and {@code <mount>.source} keys, as for
     * {@link PluginInstaller#ensure}.
     */
    public PluginInstaller.Outcome ensure(Bundle bundle, Map<String, String> settings) {
        String name = containerName(bundle.name());
        String wanted = bundle.digest() + "/" + settingsHash(settings);
        CommandResult current = docker.command("inspect", "--type", "container", "--format",
                "{{index .Config.Labels \"" + DIGEST_LABEL + "\"}} {{.State.Running}}", name).run();
        if (current.ok() && current.line().equals(wanted + " true")) {
            return PluginInstaller.Outcome.UNCHANGED;
        }
        String image = ensureImage(bundle);
        if (current.ok()) {
            docker.check("rm", "-f", name);
        }
        docker.command(runArgs(bundle, settings, image, name, wanted)).timeout(Duration.ofMinutes(2)).check();
        return current.ok() ? PluginInstaller.Outcome.UPGRADED : PluginInstaller.Outcome.INSTALLED;
    }

    /** Stops and removes the container (its image stays for a quick reinstall). */
    public void remove(String pluginName) {
        docker.command("rm", "-f", containerName(pluginName)).run();
    }

    List<String> runArgs(Bundle bundle, Map<String, String> settings, String image, String name, String label) {
        PluginDescriptor d = bundle.descriptor();
        JsonNode config = readConfig(bundle);
        List<String> args = new ArrayList<>(List.of("run", "-d", "--name", name, "--restart", "always",
                "--label", LABEL + "=" + d.name(), "--label", DIGEST_LABEL + "=" + label,
                "--network", d.network().equals("host") ? "host" : "none", "--cap-drop", "ALL",
                "--security-opt", "no-new-privileges"));
        for (PluginDescriptor.Capability c : d.capabilities()) {
            args.add("--cap-add");
            args.add(c.name().substring("CAP_".length()));
        }
        for (PluginDescriptor.Device dev : d.devices()) {
            args.add("--device");
            args.add(dev.path());
        }
        args.add("--mount");
        args.add("type=bind,source=" + PLUGIN_DIR + ",destination=" + PLUGIN_DIR);
        for (PluginDescriptor.Mount m : d.mounts()) {
            String source = m.sourceSettable() ? settings.getOrDefault(m.sourceKey(), m.source()) : m.source();
            String destination = m.sourceSettable() && m.destination().equals(m.source()) && sharesPropagation(m)
                    ? source : m.destination();
            StringBuilder spec = new StringBuilder("type=bind,source=" + source + ",destination=" + destination);
            for (String o : m.options()) {
                if (o.equals("rslave") || o.equals("rshared") || o.equals("slave") || o.equals("shared")) {
                    spec.append(",bind-propagation=").append(o);
                } else if (o.equals("ro")) {
                    spec.append(",readonly");
                }
            }
            args.add("--mount");
            args.add(spec.toString());
        }
        Map<String, String> env = new LinkedHashMap<>();
        for (JsonNode e : config.path("env")) {
            env.put(e.path("name").asText(), e.path("value").asText());
        }
        env.put("BERTH_SOCKET", socketPath(d.name()));
        settings.forEach((k, v) -> {
            if (!k.endsWith("." + PluginDescriptor.Mount.SOURCE)) {
                env.put(k, v);
            }
        });
        env.forEach((k, v) -> {
            args.add("-e");
            args.add(k + "=" + v);
        });
        List<String> entrypoint = new ArrayList<>();
        config.path("entrypoint").forEach(n -> entrypoint.add(n.asText()));
        args.add("--entrypoint");
        args.add(entrypoint.get(0));
        args.add(image);
        args.addAll(entrypoint.subList(1, entrypoint.size()));
        return args;
    }

    private static boolean sharesPropagation(PluginDescriptor.Mount m) {
        return m.options().stream().anyMatch(o -> o.equals("rshared") || o.equals("rslave") || o.equals("shared")
                || o.equals("slave"));
    }

    private String ensureImage(Bundle bundle) {
        String digest = bundle.digest().replaceAll("[^a-f0-9]", "");
        String image = "berth-plugin/" + containerName(bundle.name()).replace("berth-", "") + ":"
                + digest.substring(0, Math.min(16, digest.length()));
        if (docker.command("image", "inspect", image).run().ok()) {
            return image;
        }
        try {
            Path tar = Files.createTempFile("berth-rootfs", ".tar");
            try {
                Command.of("tar", "--numeric-owner", "-C", bundle.dir().resolve("rootfs").toString(), "-cf",
                        tar.toString(), ".").timeout(Duration.ofMinutes(5)).check();
                docker.command("import", tar.toString(), image).timeout(Duration.ofMinutes(5)).check();
            } finally {
                Files.deleteIfExists(tar);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return image;
    }

    private static JsonNode readConfig(Bundle bundle) {
        try {
            return JSON.readTree(bundle.dir().resolve("config.json").toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + bundle.dir().resolve("config.json"), e);
        }
    }

    private static String settingsHash(Map<String, String> settings) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            new TreeMap<>(settings).forEach((k, v) -> sha.update((k + "=" + v + "\n").getBytes(StandardCharsets.UTF_8)));
            return HexFormat.of().formatHex(sha.digest()).substring(0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
