package dev.berth.cli;

import dev.berth.exec.DockerCli;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "up", mixinStandardHelpOptions = true,
        description = {"Install and enable the Berth plugins on a Docker host (idempotent; upgrades in place).",
            "Installs docker.io and starts Docker when this host has none. Without --kv the plugins use the "
                + "embedded single-host store under /var/lib/berth."})
final class UpCommand implements Callable<Integer> {
    @Option(names = "--docker-host", paramLabel = "URL", description = "Docker engine (default: this host's, ${DEFAULT-VALUE})",
            defaultValue = DockerEngine.LOCAL)
    String dockerHost;

    @Option(names = "--kv", paramLabel = "URL",
            description = "cluster store: etcd://h1:2379,h2:2379/prefix, consul://host:8500/prefix, zk://h1:2181/prefix")
    String kv;

    @Option(names = "--plugin-input", paramLabel = "DIR",
            description = "also install the plugin built in DIR (plugin.json + lib/*.jar); repeatable")
    java.util.List<Path> pluginInputs = new java.util.ArrayList<>();

    @Option(names = "--zfs-parent", paramLabel = "DATASET",
            description = "also run berth/zfs with its volumes under DATASET (for example tank/berth; the pool must exist), "
                    + "and the migration agent (berth migrate)")
    String zfsParent;

    @Option(names = "--docker-dns", description = "also name this host's berth/dns in /etc/docker/daemon.json (dns), "
            + "so containers' 127.0.0.11 forwards cluster names to it; takes effect when dockerd next starts")
    boolean dockerDns;

    @Override
    public Integer call() throws Exception {
        Optional<String> store = KvUrl.parse(kv);
        DockerCli docker = DockerEngine.ensure(dockerHost, Output::say);
        if (dockerHost.equals(DockerEngine.LOCAL)) {
            Files.createDirectories(Path.of("/var/lib/berth"));
        }
        Output.say("Docker " + docker.check("version", "--format", "{{.Server.Version}}") + " at " + docker.host()
                + "; store: " + store.orElse("embedded (/var/lib/berth)"));
        new SuiteInstall(Home.detect(), pluginInputs, Output::say).install(docker, store);
        if (zfsParent != null) {
            new ZfsInstall(Home.detect(), Output::say).install(docker, zfsParent, store);
        } else {
            Output.say("berth/zfs: not installed (give --zfs-parent POOL/DATASET to run it)");
        }
        if (dockerDns) {
            String address = DockerDnsSetting.hostAddress();
            if (DockerDnsSetting.apply(DockerDnsSetting.DAEMON_JSON, address)) {
                Output.say("daemon.json: dns now starts with " + address + "; restart dockerd to apply it "
                        + "(containers without a restart policy stop with it)");
            } else {
                Output.say("daemon.json: dns already names " + address);
            }
        }
        Output.say("up: done");
        return 0;
    }
}
