package dev.berth.packaging;

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
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Runs a service bundle ({@code "kind": "service"}, such as the DNS server) as a container, idempotently: the rootfs
 * becomes an image with {@code docker import} (no registry), tagged with the bundle digest; the container runs with
 * the host's network, {@code --restart always}, the descriptor's capabilities, mounts and environment, and labels that
 * record the bundle digest and a hash of the settings. The same bundle with the same settings is left alone; a
 * stopped one is started; anything else is replaced.
 *
 * <p>Equivalent to: {@code tar -C rootfs -c . | docker import --change 'ENTRYPOINT [...]' - berth/dns:DIGEST;
 * docker run -d --name berth-dns --network host --restart always -v ... -e ... berth/dns:DIGEST}.
 */
public final class ServiceInstaller {
    static final String DIGEST_LABEL = "dev.berth.bundle.digest";
    static final String SETTINGS_LABEL = "dev.berth.settings";
    private final DockerCli docker;

    public ServiceInstaller(DockerCli docker) {
        this.docker = docker;
    }

    /** The container's name: {@code berth/dns} runs as {@code berth-dns}. */
    public static String containerName(PluginDescriptor d) {
        return d.name().replace('/', '-');
    }

    /**
     * @param settings environment values by name, and mount sources as {@code <mount-name>.source}, like
     *                 {@link PluginInstaller#ensure}
     */
    public PluginInstaller.Outcome ensure(Bundle bundle, Map<String, String> settings) {
        PluginDescriptor d = bundle.descriptor();
        String name = containerName(d);
        String image = d.name() + ":" + bundle.digest().substring(0, 12);
        String settingsHash = hash(new TreeMap<>(settings).toString());
        CommandResult current = docker.command("inspect", "--format", "{{.State.Running}} {{index .Config.Labels \""
                + DIGEST_LABEL + "\"}} {{index .Config.Labels \"" + SETTINGS_LABEL + "\"}}", name).run();
        boolean exists = current.ok();
        if (exists) {
            String[] f = current.stdout().trim().split(" ");
            boolean same = f.length == 3 && f[1].equals(bundle.digest()) && f[2].equals(settingsHash);
            if (same && f[0].equals("true")) {
                return PluginInstaller.Outcome.UNCHANGED;
            }
            if (same) {
                docker.check("start", name);
                return PluginInstaller.Outcome.ENABLED;
            }
            docker.command("rm", "-f", name).check();
        }
        ensureImage(bundle, image);
        docker.command(runArgs(bundle, name, image, settings, settingsHash)).timeout(Duration.ofMinutes(2)).check();
        return exists ? PluginInstaller.Outcome.UPGRADED : PluginInstaller.Outcome.INSTALLED;
    }

    /** Removes the service's container (its image stays for a quick reinstall; its state lives in host mounts). */
    public void remove(PluginDescriptor d) {
        docker.command("rm", "-f", containerName(d)).run();
    }

    /** Every Berth service container on this engine, by name, with its state ("running", "exited", ...). */
    public Map<String, String> installed() {
        CommandResult r = docker.command("ps", "-a", "--filter", "label=" + DIGEST_LABEL, "--format",
                "{{.Names}} {{.State}}").run();
        Map<String, String> out = new TreeMap<>();
        if (r.ok()) {
            for (String line : r.stdout().split("\n")) {
                String[] f = line.trim().split(" ");
                if (f.length == 2) {
                    out.put(f[0], f[1]);
                }
            }
        }
        return out;
    }

    /** Removes a service container by name. */
    public void remove(String containerName) {
        docker.command("rm", "-f", containerName).run();
    }

    private void ensureImage(Bundle bundle, String image) {
        if (docker.command("image", "inspect", image).run().ok()) {
            return;
        }
        try {
            Path tar = Files.createTempFile("berth-service", ".tar");
            try {
                Command.of("tar", "--numeric-owner", "-C", bundle.dir().resolve("rootfs").toString(), "-cf",
                        tar.toString(), ".").timeout(Duration.ofMinutes(2)).check();
                List<String> argv = new ArrayList<>(List.of("import", "--change", "ENTRYPOINT " + entrypoint(bundle)));
                argv.add(tar.toString());
                argv.add(image);
                docker.command(argv).timeout(Duration.ofMinutes(5)).check();
            } finally {
                Files.deleteIfExists(tar);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The entrypoint of the bundle's config.json, as a JSON array for {@code docker import --change}. */
    private static String entrypoint(Bundle bundle) throws IOException {
        var json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(
                bundle.dir().resolve("config.json").toFile());
        return json.get("entrypoint").toString();
    }

    static List<String> runArgs(Bundle bundle, String name, String image, Map<String, String> settings,
                                String settingsHash) {
        PluginDescriptor d = bundle.descriptor();
        List<String> argv = new ArrayList<>(List.of("run", "-d", "--name", name, "--restart", "always",
                "--network", d.network().equals("none") ? "none" : d.network(),
                "--label", DIGEST_LABEL + "=" + bundle.digest(), "--label", SETTINGS_LABEL + "=" + settingsHash,
                "--log-opt", "max-size=10m", "--log-opt", "max-file=3"));
        if (d.cpu() != null) {
            argv.add("--cpu-shares");
            argv.add(Integer.toString(d.cpu().shares()));
        }
        for (PluginDescriptor.Capability c : d.capabilities()) {
            argv.add("--cap-add");
            argv.add(c.name().substring("CAP_".length()));
        }
        for (PluginDescriptor.Device dev : d.devices()) {
            argv.add("--device");
            argv.add(dev.path());
        }
        for (PluginDescriptor.Mount m : d.mounts()) {
            String source = m.name().isEmpty() ? m.source() : settings.getOrDefault(m.sourceKey(), m.source());
            argv.add("-v");
            argv.add(source + ":" + m.destination());
        }
        for (PluginDescriptor.EnvVar e : d.env()) {
            argv.add("-e");
            argv.add(e.name() + "=" + settings.getOrDefault(e.name(), e.value()));
        }
        for (String e : JvmOptions.ENVIRONMENT) {
            argv.add("-e");
            argv.add(e);
        }
        argv.add(image);
        return argv;
    }

    private static String hash(String text) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(h, 0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
