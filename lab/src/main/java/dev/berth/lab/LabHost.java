package dev.berth.lab;

import dev.berth.exec.Command;
import dev.berth.exec.DockerCli;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One Docker host of the lab: a dockerd in its own network, mount and UTS namespaces.
 *
 * @param name            {@code h1 .. h8}, also the daemon's hostname ({@code docker info --format {{.Name}}})
 * @param index           1-based; the last octet of the underlay address
 * @param netns           the named network namespace, {@code berth-h1}
 * @param underlayAddress the host's address on the lab bridge, {@code 10.99.0.1} (a /24)
 * @param dockerSocket    the daemon's API socket, {@code /run/berth-lab/h1/docker.sock}
 * @param pluginDir       bind-mounted over {@code /run/docker/plugins} in this host's mount namespace
 * @param stateDir        bind-mounted over {@code /var/lib/berth} in this host's mount namespace
 */
public record LabHost(String name, int index, String netns, String underlayAddress,
                      Path dockerSocket, Path pluginDir, Path stateDir) {

    /** The value for {@code DOCKER_HOST} or {@code docker -H}. */
    public String dockerHost() {
        return "unix://" + dockerSocket;
    }

    /** The {@code docker} command aimed at this host. */
    public DockerCli docker() {
        return DockerCli.forHost(dockerHost());
    }

    /** {@code /var/run/netns/berth-h1}, for {@code nsenter --net=}. */
    public Path netnsPath() {
        return Path.of("/var/run/netns", netns);
    }

    /**
     * A command run in this host's network namespace (and nothing else: it sees the root mount namespace).
     * Equivalent to: {@code nsenter --net=/var/run/netns/berth-h1 argv...}
     */
    public Command inNetns(String... argv) {
        List<String> full = new ArrayList<>(List.of("nsenter", "--net=" + netnsPath()));
        full.addAll(List.of(argv));
        return Command.of(full);
    }

    /** PIDs of this host's processes (in its network namespace) whose command line contains {@code needle}. */
    public List<Long> processes(String needle) {
        return NetnsProcesses.find(netnsPath(), needle);
    }
}
