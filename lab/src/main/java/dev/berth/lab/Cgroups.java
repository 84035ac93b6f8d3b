package dev.berth.lab;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The lab's cgroups. Containers go below {@code /berth-lab/hN} (each host's {@code cgroup-parent}); managed plugins
 * ignore cgroup-parent and get {@code /<plugin id>} at the top of each hierarchy, so their ids are read from the
 * hosts' data roots. A daemon that is killed leaves these directories behind; cleanup kills what is still in them and
 * removes them, deepest first. Works for cgroup v1 (one mount per controller under /sys/fs/cgroup) and v2.
 */
final class Cgroups {
    private static final Path ROOT = Path.of("/sys/fs/cgroup");
    private static final Pattern PLUGIN_ID = Pattern.compile("[0-9a-f]{64}");

    private Cgroups() {
    }

    /** Every lab cgroup directory that exists: {@code <hierarchy>/berth-lab} trees and plugin cgroups. */
    static List<Path> labCgroups(LabLayout layout) {
        List<Path> found = new ArrayList<>();
        for (Path hierarchy : hierarchies()) {
            found.addAll(tree(hierarchy.resolve("berth-lab")));
            for (String id : pluginIds(layout)) {
                found.addAll(tree(hierarchy.resolve(id)));
            }
        }
        return found;
    }

    /** PIDs listed in {@code cgroup.procs} of the given cgroups. */
    static Set<Long> processes(List<Path> cgroups) {
        Set<Long> pids = new TreeSet<>();
        for (Path cg : cgroups) {
            try {
                for (String line : Files.readAllLines(cg.resolve("cgroup.procs"), StandardCharsets.UTF_8)) {
                    if (!line.isBlank()) {
                        pids.add(Long.parseLong(line.strip()));
                    }
                }
            } catch (IOException | NumberFormatException e) {
                // removed meanwhile
            }
        }
        return pids;
    }

    /**
     * Removes the cgroups, children before parents. Equivalent to: {@code rmdir} of each, deepest first.
     *
     * @return those that could not be removed, with the reason
     */
    static List<String> remove(List<Path> cgroups) {
        List<String> failed = new ArrayList<>();
        cgroups.stream().sorted(Comparator.comparingInt(Path::getNameCount).reversed()).forEach(cg -> {
            try {
                Files.deleteIfExists(cg);
            } catch (IOException e) {
                failed.add("cgroup " + cg + ": " + e);
            }
        });
        return failed;
    }

    /** Ids of managed plugins installed on any lab host ({@code /var/lib/berth-lab/hN/docker/plugins/<id>}). */
    static List<String> pluginIds(LabLayout layout) {
        List<String> ids = new ArrayList<>();
        for (int i = 1; i <= LabSpec.MAX_HOSTS; i++) {
            Path plugins = layout.dataRoot(layout.host(i)).resolve("plugins");
            if (!Files.isDirectory(plugins)) {
                continue;
            }
            try (DirectoryStream<Path> dirs = Files.newDirectoryStream(plugins)) {
                for (Path d : dirs) {
                    if (PLUGIN_ID.matcher(d.getFileName().toString()).matches()) {
                        ids.add(d.getFileName().toString());
                    }
                }
            } catch (IOException e) {
                // the data root is going away: nothing to find
            }
        }
        return ids;
    }

    /** /sys/fs/cgroup itself (cgroup v2) and each directory in it (v1 controllers, the hybrid "unified"). */
    private static List<Path> hierarchies() {
        List<Path> all = new ArrayList<>(List.of(ROOT));
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(ROOT, Files::isDirectory)) {
            dirs.forEach(all::add);
        } catch (IOException e) {
            return all;
        }
        return all;
    }

    private static List<Path> tree(Path top) {
        if (!Files.isDirectory(top) || !Files.exists(top.resolve("cgroup.procs"))) {
            return List.of();
        }
        try (Stream<Path> walk = Files.walk(top)) {
            return walk.filter(Files::isDirectory).toList();
        } catch (IOException | java.io.UncheckedIOException e) {
            return List.of(top);
        }
    }
}
