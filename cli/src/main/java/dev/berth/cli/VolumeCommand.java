package dev.berth.cli;

import dev.berth.exec.Command;
import dev.berth.exec.CommandResult;
import dev.berth.exec.DockerCli;
import dev.berth.zfs.SnapshotCommands;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code berth volume snapshot create|ls|rollback|clone|rm ...}: snapshots of berth/zfs volumes, worked on the host's
 * ZFS directly through the driver's own code (the state is in ZFS, so the command and the plugin see the same truth).
 */
@CommandLine.Command(name = "volume", mixinStandardHelpOptions = true,
        description = {"berth/zfs volumes: snapshot create|ls|rollback|clone|rm VOLUME [SNAPSHOT] ...",
            "Example: berth volume snapshot create web before-upgrade"})
final class VolumeCommand implements Callable<Integer> {
    @Option(names = "--parent", paramLabel = "DATASET",
            description = "the volumes' parent dataset (default: BERTH_ZFS_PARENT of the installed berth-zfs container)")
    String parent;

    @Option(names = "--docker-host", paramLabel = "URL", defaultValue = DockerEngine.LOCAL,
            description = "Docker engine to read the plugin's settings from (default: ${DEFAULT-VALUE})")
    String dockerHost;

    @Parameters(paramLabel = "snapshot ARGS", description = "snapshot create|ls|rollback|clone|rm ...")
    List<String> args = new ArrayList<>();

    @Override
    public Integer call() {
        if (args.isEmpty() || !args.get(0).equals("snapshot")) {
            System.err.println("usage: berth volume snapshot create|ls|rollback|clone|rm VOLUME [SNAPSHOT] ...");
            return 2;
        }
        String p = parent != null ? parent : installedParent(DockerCli.forHost(dockerHost));
        if (p == null) {
            System.err.println("no berth/zfs container found to read BERTH_ZFS_PARENT from: give --parent");
            return 2;
        }
        return SnapshotCommands.forParent(p).run(args.subList(1, args.size()), System.out, System.err);
    }

    static String installedParent(DockerCli docker) {
        CommandResult r = docker.command("inspect", "--format", "{{range .Config.Env}}{{println .}}{{end}}",
                dev.berth.packaging.ContainerPluginInstaller.containerName("berth/zfs")).run();
        if (!r.ok()) {
            return null;
        }
        return r.stdout().lines().filter(l -> l.startsWith("BERTH_ZFS_PARENT=")).map(l -> l.substring(17))
                .filter(v -> !v.isBlank()).findFirst().orElse(null);
    }

    static String mountpoint(String dataset) {
        return Command.of("zfs", "get", "-H", "-o", "value", "mountpoint", dataset).check().stdout().trim();
    }
}
