package dev.berth.lab;

import dev.berth.exec.Command;
import dev.berth.exec.CommandResult;
import java.io.IOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Takes the lab down, and whatever an earlier run left: finds things by looking (the process table, mountinfo,
 * {@code ip netns list}, {@code ip link}, iptables, cgroups), never only by what a state file says, so that it also
 * works after a {@code kill -9} of the JVM that made the lab, or when only half of a lab was ever built. Each step
 * goes on when an earlier one failed; at the end it checks that nothing is left and says what is, if anything.
 */
final class Cleanup {
    private final LabLayout layout;
    private final Consumer<String> progress;
    private final LabProcesses processes;

    Cleanup(LabLayout layout, Consumer<String> progress) {
        this.layout = layout;
        this.progress = progress;
        this.processes = new LabProcesses(layout, progress);
    }

    /** Removes everything; throws {@link LabException} listing what failed or is still there. */
    void run() {
        List<String> problems = new ArrayList<>();
        Optional<LabState> state = Optional.empty();
        try {
            state = LabState.read(layout.stateFile());
        } catch (LabException e) {
            progress.accept("ignoring unreadable lab state: " + e.getMessage());
        }
        List<Long> recorded = state.map(s -> List.copyOf(s.pids().values())).orElse(List.of());
        step(problems, "stopping daemons", () -> processes.stopDaemons(recorded));
        step(problems, "killing leftover processes", processes::killLeftovers);
        step(problems, "unmounting", this::unmountAll);
        step(problems, "deleting links", () -> deleteLinks(problems));
        step(problems, "deleting network namespaces", () -> deleteNamespaces(problems));
        step(problems, "removing the FORWARD rule", this::removeForwardRule);
        step(problems, "removing cgroups", () -> removeCgroups(problems));
        step(problems, "removing directories", () -> removeDirectories(problems));
        step(problems, "removing empty mount points", this::removeEmptyMountPoints);
        List<String> left = new ArrayList<>();
        step(problems, "checking for leftovers", () -> left.addAll(leftovers()));
        if (!problems.isEmpty() || !left.isEmpty()) {
            List<String> all = new ArrayList<>(problems);
            all.addAll(left);
            throw new LabException("lab teardown incomplete:\n - " + String.join("\n - ", all));
        }
    }

    /** What is still there, one line each; empty on a clean machine. */
    List<String> leftovers() {
        List<String> left = new ArrayList<>();
        ProcTable table = ProcTable.snapshot();
        for (long pid : processes.find(table)) {
            left.add("process " + pid + ": " + table.cmdline(pid));
        }
        MountTable.unmountOrder(MountTable.read(), layout::contains).forEach(m -> left.add("mount " + m));
        Underlay.labNamespaces().forEach(n -> left.add("network namespace " + n));
        Underlay.labLinks().forEach(l -> left.add("link " + l));
        if (Underlay.forwardRulePresent()) {
            left.add("iptables rule FORWARD -i " + LabLayout.BRIDGE + " -o " + LabLayout.BRIDGE + " -j ACCEPT");
        }
        Cgroups.labCgroups(layout).forEach(c -> left.add("cgroup " + c));
        for (Path dir : List.of(layout.runRoot(), layout.varRoot())) {
            if (Files.exists(dir)) {
                left.add("directory " + dir);
            }
        }
        return left;
    }

    /** Equivalent to: {@code umount PATH || umount -l PATH} for each lab mount, deepest first, until none is left. */
    private void unmountAll() {
        for (int round = 0; round < 5; round++) {
            List<Path> order = MountTable.unmountOrder(MountTable.read(), layout::contains);
            if (order.isEmpty()) {
                return;
            }
            for (Path mountPoint : order) {
                progress.accept("unmounting " + mountPoint);
                CommandResult r = Command.of("umount", mountPoint.toString()).run();
                if (!r.ok()) {
                    Command.of("umount", "-l", mountPoint.toString()).run();
                }
            }
        }
        List<Path> left = MountTable.unmountOrder(MountTable.read(), layout::contains);
        if (!left.isEmpty()) {
            throw new LabException("still mounted: " + left);
        }
    }

    /**
     * Veths first, then the bridge. Done before the namespaces are deleted: deleting a veth takes both ends
     * synchronously, whereas a deleted namespace takes its end only when the kernel gets round to it.
     */
    private void deleteLinks(List<String> problems) {
        List<String> links = new ArrayList<>(Underlay.labLinks());
        links.sort((a, b) -> Boolean.compare(a.equals(LabLayout.BRIDGE), b.equals(LabLayout.BRIDGE)));
        for (String link : links) {
            progress.accept("deleting link " + link);
            step(problems, "deleting link " + link, () -> Underlay.deleteLink(link));
        }
    }

    private void deleteNamespaces(List<String> problems) {
        for (String ns : Underlay.labNamespaces()) {
            progress.accept("deleting network namespace " + ns);
            step(problems, "deleting network namespace " + ns, () -> Underlay.deleteNamespace(ns));
        }
    }

    private void removeForwardRule() {
        if (Underlay.forwardRulePresent()) {
            progress.accept("removing iptables rule FORWARD -i " + LabLayout.BRIDGE + " -o " + LabLayout.BRIDGE);
            Underlay.removeForwarding();
        }
    }

    private void removeCgroups(List<String> problems) {
        List<Path> cgroups = Cgroups.labCgroups(layout);
        if (!cgroups.isEmpty()) {
            progress.accept("removing " + cgroups.size() + " cgroup(s)");
            problems.addAll(Cgroups.remove(cgroups));
        }
    }

    /** Equivalent to: {@code rm -rf --one-file-system /run/berth-lab /var/lib/berth-lab} (never through a mount). */
    private void removeDirectories(List<String> problems) {
        for (Path dir : List.of(layout.runRoot(), layout.varRoot())) {
            if (Files.exists(dir)) {
                progress.accept("removing " + dir);
                CommandResult r = Command.of("rm", "-rf", "--one-file-system", dir.toString())
                        .timeout(Duration.ofMinutes(5)).run();
                if (!r.ok()) {
                    problems.add("rm -rf " + dir + ": " + r.stderr().strip());
                }
            }
        }
    }

    /** Equivalent to: {@code rmdir /run/docker/plugins /run/docker /var/lib/berth /run/containerd}, each if empty. */
    private void removeEmptyMountPoints() {
        List<MountTable.Mount> mounts = MountTable.read();
        for (Path dir : LabLayout.EMPTY_DIRS_TO_TIDY) {
            if (mounts.stream().anyMatch(m -> m.mountPoint().equals(dir))) {
                continue;
            }
            try {
                if (Files.deleteIfExists(dir)) {
                    progress.accept("removed empty " + dir);
                }
            } catch (DirectoryNotEmptyException e) {
                // in use by someone: leave it
            } catch (IOException e) {
                progress.accept("cannot remove " + dir + ": " + e.getMessage());
            }
        }
    }

    private void step(List<String> problems, String what, Runnable action) {
        try {
            action.run();
        } catch (RuntimeException e) {
            problems.add(what + ": " + e.getMessage());
        }
    }
}
