package dev.berth.cli;

import dev.berth.exec.DockerCli;
import dev.berth.packaging.Bundle;
import dev.berth.packaging.BundleBuilder;
import dev.berth.packaging.PluginInstaller;
import dev.berth.packaging.RuntimeImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/** Builds every plugin of the suite (once per process) and makes one Docker engine run them, with the given store. */
final class SuiteInstall {
    private final Home home;
    private final List<Path> extraInputs;
    private final Consumer<String> say;
    private List<Bundle> bundles;

    SuiteInstall(Home home, List<Path> extraInputs, Consumer<String> say) {
        this.home = home;
        this.extraInputs = List.copyOf(extraInputs);
        this.say = say;
    }

    synchronized List<Bundle> bundles() {
        if (bundles == null) {
            BundleBuilder builder = new BundleBuilder(RuntimeImage.fromBuildJdk());
            List<Bundle> built = new ArrayList<>();
            List<Path> inputs = new ArrayList<>(SuiteCatalogue.pluginInputs(home));
            inputs.addAll(extraInputs);
            for (Path input : inputs) {
                String plugin = dev.berth.packaging.PluginDescriptor.read(input.resolve("plugin.json")).name();
                Path out = home.bundles().resolve(plugin.replace('/', '-'));
                Bundle b = builder.buildFromInput(input, out);
                say.accept("built " + b.name() + " (" + b.digest().substring(0, 12) + ")");
                built.add(b);
            }
            bundles = List.copyOf(built);
        }
        return bundles;
    }

    /** The settable mount through which a plugin reaches its own host's Docker API. */
    static final String DOCKER_SOCKET_MOUNT = "docker-socket";

    /** The engine's socket on the host: from {@code unix://PATH}, or Docker's default. */
    static String dockerSocket(DockerCli docker) {
        String host = docker.host();
        if (host != null && host.startsWith("unix://")) {
            return host.substring("unix://".length());
        }
        return java.nio.file.Files.exists(Path.of("/run/docker.sock")) ? "/run/docker.sock" : "/var/run/docker.sock";
    }

    /** Installs or upgrades every plugin; returns what happened to each. */
    Map<String, PluginInstaller.Outcome> install(DockerCli docker, Optional<String> kv) {
        PluginInstaller installer = new PluginInstaller(docker);
        Map<String, PluginInstaller.Outcome> outcomes = new LinkedHashMap<>();
        // services first: a plugin may use its service from its first call (berth/wireguard its wireguard-go keeper)
        List<Bundle> ordered = new ArrayList<>(bundles());
        ordered.sort(java.util.Comparator.comparing(b -> b.descriptor().isService() ? 0 : 1));
        for (Bundle b : ordered) {
            Map<String, String> settings = new LinkedHashMap<>();
            if (b.descriptor().env().stream().anyMatch(e -> e.name().equals("BERTH_KV"))) {
                settings.put("BERTH_KV", kv.orElse(""));
            }
            if (b.descriptor().mounts().stream().anyMatch(m -> DOCKER_SOCKET_MOUNT.equals(m.name())
                    && m.sourceSettable())) {
                settings.put(DOCKER_SOCKET_MOUNT + ".source", dockerSocket(docker));
            }
            PluginInstaller.Outcome outcome = b.descriptor().isService()
                    ? new dev.berth.packaging.ServiceInstaller(docker).ensure(b, settings)
                    : installer.ensure(b, settings);
            say.accept(b.name() + ": " + outcome.name().toLowerCase());
            outcomes.put(b.name(), outcome);
        }
        if (bundles().isEmpty()) {
            say.accept("no plugin modules are built yet (no */target/plugin/plugin.json): nothing to install");
        }
        return outcomes;
    }
}
