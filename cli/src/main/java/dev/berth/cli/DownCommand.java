package dev.berth.cli;

import dev.berth.exec.DockerCli;
import dev.berth.packaging.PluginInstaller;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "down", mixinStandardHelpOptions = true,
        description = {"Disable and remove every Berth plugin and service container from a Docker host.",
            "Plugin state under /var/lib/berth stays (a later `berth up` finds it) unless --purge is given."})
final class DownCommand implements Callable<Integer> {
    @Option(names = "--docker-host", paramLabel = "URL", defaultValue = DockerEngine.LOCAL,
            description = "Docker engine (default: ${DEFAULT-VALUE})")
    String dockerHost;

    @Option(names = "--purge", description = "also delete the plugins' state in /var/lib/berth on this host")
    boolean purge;

    @Override
    public Integer call() throws Exception {
        DockerCli docker = DockerCli.forHost(dockerHost);
        if (!docker.answers()) {
            throw new IllegalStateException("no Docker engine answers at " + dockerHost);
        }
        PluginInstaller installer = new PluginInstaller(docker);
        for (PluginInstaller.Installed p : installer.installedBerthPlugins()) {
            installer.remove(p.name());
            Output.say("removed " + p.name());
        }
        new dev.berth.packaging.ContainerPluginInstaller(docker).remove("berth/zfs");
        dev.berth.packaging.ServiceInstaller services = new dev.berth.packaging.ServiceInstaller(docker);
        for (String service : services.installed().keySet()) {
            services.remove(service);
            Output.say("removed service " + service);
        }
        if (purge) {
            Path state = Path.of("/var/lib/berth");
            if (Files.exists(state)) {
                dev.berth.exec.Command.of("rm", "-rf", "--one-file-system", state.toString()).check();
                Output.say("purged " + state);
            }
        }
        Output.say("down: done");
        return 0;
    }
}
