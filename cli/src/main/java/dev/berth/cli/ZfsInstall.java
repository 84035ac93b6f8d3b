package dev.berth.cli;

import dev.berth.exec.DockerCli;
import dev.berth.packaging.Bundle;
import dev.berth.packaging.BundleBuilder;
import dev.berth.packaging.ContainerPluginInstaller;
import dev.berth.packaging.PluginInstaller;
import dev.berth.packaging.RuntimeImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Runs berth/zfs as the container plugin vol-zfs builds ({@code vol-zfs/target/container-plugin}): it shares the
 * host's mount propagation, which a managed plugin cannot (see vol-zfs/README.md).
 */
final class ZfsInstall {
    private final Home home;
    private final Consumer<String> say;

    ZfsInstall(Home home, Consumer<String> say) {
        this.home = home;
        this.say = say;
    }

    /** berth/zfs, and beside it the migration agent (berth-migrate) with the same parent and the given store. */
    void install(DockerCli docker, String parent, java.util.Optional<String> kv) {
        install(docker, parent);
        Path agentInput = home.root().resolve("vol-migrate/target/agent-plugin");
        if (!Files.isRegularFile(agentInput.resolve("plugin.json"))) {
            throw new IllegalStateException("vol-migrate is not built (no " + agentInput + "/plugin.json)");
        }
        Bundle agent = new BundleBuilder(RuntimeImage.fromBuildJdk()).buildFromInput(agentInput,
                home.bundles().resolve("berth-migrate"));
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("BERTH_KV", kv.orElse(""));
        settings.put("BERTH_ZFS_PARENT", parent);
        settings.put("docker-socket.source", SuiteInstall.dockerSocket(docker));
        PluginInstaller.Outcome outcome = new dev.berth.packaging.ServiceInstaller(docker).ensure(agent, settings);
        say.accept("berth/migrate: " + outcome.name().toLowerCase() + (kv.isEmpty()
                ? " (no cluster store: it can only receive from and send to hosts that share one; give --kv)" : ""));
    }

    void install(DockerCli docker, String parent) {
        Path input = home.root().resolve("vol-zfs/target/container-plugin");
        if (!Files.isRegularFile(input.resolve("plugin.json"))) {
            throw new IllegalStateException("vol-zfs is not built (no " + input + "/plugin.json)");
        }
        Bundle b = new BundleBuilder(RuntimeImage.fromBuildJdk()).buildFromInput(input,
                home.bundles().resolve("berth-zfs"));
        String pool = parent.contains("/") ? parent.substring(0, parent.indexOf('/')) : parent;
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("BERTH_ZFS_PARENT", parent);
        settings.put("zfs-mounts.source", VolumeCommand.mountpoint(pool));
        settings.put("docker-socket.source", SuiteInstall.dockerSocket(docker));
        PluginInstaller.Outcome outcome = new ContainerPluginInstaller(docker).ensure(b, settings);
        say.accept("berth/zfs: " + outcome.name().toLowerCase() + " (volumes under " + parent + ")");
    }
}
