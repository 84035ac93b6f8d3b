package dev.berth.packaging;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.exec.CommandResult;
import dev.berth.exec.DockerCli;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Installs bundles as Docker managed plugins, idempotently: an identical bundle with the same settings is left alone, a
 * changed setting is applied in place, a different bundle replaces the installed one. Plugin state lives outside the
 * plugin (host mounts such as /var/lib/berth), so replacing a plugin keeps it.
 *
 * <p>Settings are what {@code docker plugin set} takes: {@code NAME=value} for an env variable (compared with
 * {@code Settings.Env}), {@code <mount>.source=/path} for a named settable mount (compared with the source in
 * {@code Settings.Mounts}), for example {@code docker-socket.source=/run/berth-lab/h1/docker.sock}.
 *
 * <p>Equivalent to: {@code docker plugin create NAME DIR; docker plugin set NAME K=V; docker plugin enable NAME}.
 */
public final class PluginInstaller {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String MOUNT_SOURCE = "." + PluginDescriptor.Mount.SOURCE;
    private final DockerCli docker;

    public PluginInstaller(DockerCli docker) {
        this.docker = docker;
    }

    public enum Outcome { INSTALLED, UPGRADED, RECONFIGURED, ENABLED, UNCHANGED }

    /**
     * What Docker reports about an installed plugin.
     *
     * @param env    {@code Settings.Env}: variable name to value
     * @param mounts {@code Settings.Mounts} that have a name: mount name to its current source
     */
    public record Installed(String name, String id, boolean enabled, Map<String, String> env,
                            Map<String, String> mounts) {
        public Installed {
            env = Map.copyOf(env);
            mounts = Map.copyOf(mounts);
        }

        public Optional<String> digest() {
            return Optional.ofNullable(env.get(ConfigJson.DIGEST_VAR));
        }

        /**
         * The current value of a setting as {@link #ensure} takes it: {@code <mount>.source} of a named mount, else
         * an env variable; empty when the plugin has neither.
         */
        public Optional<String> setting(String key) {
            if (key.endsWith(MOUNT_SOURCE)) {
                String mount = key.substring(0, key.length() - MOUNT_SOURCE.length());
                if (mounts.containsKey(mount)) {
                    return Optional.of(mounts.get(mount));
                }
            }
            return Optional.ofNullable(env.get(key));
        }
    }

    public Outcome ensure(Bundle bundle, Map<String, String> settings) {
        Optional<Installed> current = inspect(bundle.name());
        if (current.isEmpty()) {
            create(bundle, settings);
            return Outcome.INSTALLED;
        }
        Installed installed = current.get();
        if (!installed.digest().equals(Optional.of(bundle.digest()))) {
            remove(bundle.name());
            create(bundle, settings);
            return Outcome.UPGRADED;
        }
        if (!differs(installed, settings).isEmpty()) {
            if (installed.enabled()) {
                docker.command("plugin", "disable", "-f", bundle.name()).check();
            }
            set(bundle.name(), settings);
            enable(bundle.name());
            return Outcome.RECONFIGURED;
        }
        if (!installed.enabled()) {
            enable(bundle.name());
            return Outcome.ENABLED;
        }
        return Outcome.UNCHANGED;
    }

    public Optional<Installed> inspect(String name) {
        CommandResult r = docker.command("plugin", "inspect", name).run();
        if (!r.ok()) {
            return Optional.empty();
        }
        try {
            JsonNode p = JSON.readTree(r.stdout()).get(0);
            Map<String, String> env = new LinkedHashMap<>();
            for (JsonNode kv : p.path("Settings").path("Env")) {
                String s = kv.asText();
                int eq = s.indexOf('=');
                env.put(eq < 0 ? s : s.substring(0, eq), eq < 0 ? "" : s.substring(eq + 1));
            }
            Map<String, String> mounts = new LinkedHashMap<>();
            for (JsonNode m : p.path("Settings").path("Mounts")) {
                if (!m.path("Name").asText().isEmpty()) {
                    mounts.put(m.path("Name").asText(), m.path("Source").asText());
                }
            }
            return Optional.of(new Installed(p.path("Name").asText(), p.path("Id").asText(),
                    p.path("Enabled").asBoolean(), env, mounts));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read `docker plugin inspect " + name + "`", e);
        }
    }

    /** Every Berth plugin installed on this daemon: names starting with "berth/". */
    public List<Installed> installedBerthPlugins() {
        String out = docker.check("plugin", "ls", "--format", "{{.Name}}");
        List<Installed> result = new ArrayList<>();
        for (String line : out.split("\n")) {
            String name = line.trim();
            if (name.startsWith("berth/")) {
                inspect(name).ifPresent(result::add);
            }
        }
        return result;
    }

    /** Disables (forcibly) and removes a plugin; its state outside the plugin stays. */
    public void remove(String name) {
        if (inspect(name).isEmpty()) {
            return;
        }
        docker.command("plugin", "disable", "-f", name).run();
        docker.command("plugin", "rm", "-f", name).check();
    }

    private void create(Bundle bundle, Map<String, String> settings) {
        docker.command("plugin", "create", bundle.name(), bundle.dir().toString()).timeout(Duration.ofMinutes(5))
                .check();
        set(bundle.name(), settings);
        enable(bundle.name());
    }

    private void set(String name, Map<String, String> settings) {
        if (settings.isEmpty()) {
            return;
        }
        List<String> args = new ArrayList<>(List.of("plugin", "set", name));
        settings.forEach((k, v) -> args.add(k + "=" + v));
        docker.command(args).check();
    }

    private void enable(String name) {
        docker.command("plugin", "enable", "--timeout", "60", name).timeout(Duration.ofMinutes(2)).check();
    }

    static Map<String, String> differs(Installed installed, Map<String, String> wanted) {
        Map<String, String> diff = new LinkedHashMap<>();
        wanted.forEach((k, v) -> {
            if (!installed.setting(k).equals(Optional.of(v))) {
                diff.put(k, v);
            }
        });
        return diff;
    }
}
