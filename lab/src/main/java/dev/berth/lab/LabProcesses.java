package dev.berth.lab;

import dev.berth.exec.CommandResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * Finds and ends the lab's processes, by looking rather than by record: dockerd and etcd get SIGTERM and time to stop
 * their containers, plugins and containerd; whatever is left (containerd shims re-parented to PID 1, the containers
 * below them, host-network plugins, tools run with nsenter, processes of a crashed earlier run) gets SIGKILL. Never
 * touches this JVM or its ancestors.
 */
final class LabProcesses {
    private static final Duration DAEMON_STOP = Duration.ofSeconds(20);
    private static final Duration KILL_WAIT = Duration.ofSeconds(10);

    private final LabLayout layout;
    private final Consumer<String> progress;
    /** Descendants of the daemons as seen before they were signalled: PID to command line (to not hit a reused PID). */
    private final Map<Long, String> daemonFamily = new HashMap<>();

    LabProcesses(LabLayout layout, Consumer<String> progress) {
        this.layout = layout;
        this.progress = progress;
    }

    /**
     * SIGTERM to every dockerd and etcd of the lab, then up to 20 s for them to stop their containers, plugins and
     * containerd. Their descendants are noted first: whatever of them outlives the daemons is killed with the rest.
     * Equivalent to: {@code kill -TERM $(cat /run/berth-lab/h*&#47;docker.pid)} and the etcd PID.
     */
    void stopDaemons(List<Long> recorded) {
        ProcTable table = ProcTable.snapshot();
        Set<Long> daemons = new TreeSet<>(recorded);
        daemons.addAll(pidFiles());
        daemons.addAll(table.matching(p -> layout.mentions(p.cmdline())
                && (p.cmdline().contains("dockerd ") || p.cmdline().startsWith("etcd "))));
        daemons.removeIf(pid -> !table.alive(pid) || !layout.mentions(table.cmdline(pid)));
        daemons.removeAll(table.selfAndAncestors(ProcessHandle.current().pid()));
        if (daemons.isEmpty()) {
            return;
        }
        table.descendantsOf(daemons).forEach(pid -> daemonFamily.put(pid, table.cmdline(pid)));
        killContainers();
        progress.accept("stopping " + daemons.size() + " daemon(s): " + daemons);
        ProcTable.signal(daemons, false);
        Set<Long> left = ProcTable.awaitGone(daemons, DAEMON_STOP);
        if (!left.isEmpty()) {
            progress.accept("still running after " + DAEMON_STOP.toSeconds() + " s, to be killed: " + left);
        }
    }

    /**
     * A lab's containers need no graceful stop, and dockerd would give each one its 10 s stop timeout on SIGTERM.
     * Best effort, bounded. Equivalent to: {@code docker -H unix:///run/berth-lab/hN/docker.sock kill $(docker ps -q)}
     * for each host whose socket exists.
     */
    private void killContainers() {
        for (int i = 1; i <= LabSpec.MAX_HOSTS; i++) {
            LabHost host = layout.host(i);
            if (!Files.exists(host.dockerSocket())) {
                continue;
            }
            try {
                CommandResult ps = host.docker().command("ps", "-q").timeout(Duration.ofSeconds(10)).run();
                List<String> ids = ps.ok() ? ps.stdout().lines().filter(l -> !l.isBlank()).toList() : List.of();
                if (!ids.isEmpty()) {
                    progress.accept("killing " + ids.size() + " container(s) on " + host.name());
                    List<String> kill = new ArrayList<>(List.of("kill"));
                    kill.addAll(ids);
                    host.docker().command(kill).timeout(Duration.ofSeconds(20)).run();
                }
            } catch (RuntimeException e) {
                progress.accept("could not kill the containers on " + host.name() + " (" + e.getMessage()
                        + "); the daemon's shutdown will stop them");
            }
        }
    }

    /**
     * Ends every process that belongs to the lab: command line mentions the lab's directories (dockerd, containerd,
     * shims, etcd, docker clients), lives in a lab network namespace (host-network plugins, tools run with nsenter) or
     * in a lab cgroup (containers); and every descendant of those (container processes below their shims). The
     * daemons had their SIGTERM already, so these get SIGKILL (a container's PID 1 ignores SIGTERM anyway); repeated
     * while new ones turn up.
     */
    void killLeftovers() {
        for (int round = 0; round < 5; round++) {
            Set<Long> targets = find(ProcTable.snapshot());
            if (targets.isEmpty()) {
                return;
            }
            progress.accept("killing " + targets.size() + " leftover process(es): " + targets);
            ProcTable.signal(targets, true);
            Set<Long> stuck = ProcTable.awaitGone(targets, KILL_WAIT);
            if (!stuck.isEmpty() && round == 4) {
                throw new LabException("processes survive SIGKILL: " + stuck);
            }
        }
    }

    /** The live processes of the lab, never this JVM or its ancestors. */
    Set<Long> find(ProcTable table) {
        Set<Long> nsInodes = labNetnsInodes();
        Set<Long> roots = new TreeSet<>(table.matching(p -> layout.mentions(p.cmdline())
                || (p.netns() != 0 && nsInodes.contains(p.netns()))));
        roots.addAll(Cgroups.processes(Cgroups.labCgroups(layout)));
        daemonFamily.forEach((pid, cmdline) -> {
            if (table.alive(pid) && table.cmdline(pid).equals(cmdline)) {
                roots.add(pid);
            }
        });
        Set<Long> all = new TreeSet<>(roots);
        all.addAll(table.descendantsOf(roots));
        all.removeIf(pid -> !table.alive(pid));
        all.removeAll(table.selfAndAncestors(ProcessHandle.current().pid()));
        return all;
    }

    private Set<Long> labNetnsInodes() {
        Set<Long> inodes = new TreeSet<>();
        for (String ns : Underlay.labNamespaces()) {
            try {
                inodes.add(((Number) Files.getAttribute(Path.of("/var/run/netns", ns), "unix:ino")).longValue());
            } catch (IOException | UnsupportedOperationException e) {
                // deleted meanwhile
            }
        }
        return inodes;
    }

    private Set<Long> pidFiles() {
        Set<Long> pids = new TreeSet<>();
        for (int i = 1; i <= LabSpec.MAX_HOSTS; i++) {
            try {
                pids.add(Long.parseLong(Files.readString(layout.pidFile(layout.host(i))).strip()));
            } catch (IOException | NumberFormatException e) {
                // no such host or no pidfile
            }
        }
        return pids;
    }
}
