package dev.berth.zfs;

import dev.berth.exec.Command;
import dev.berth.exec.CommandFailedException;
import dev.berth.exec.CommandResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@link Zfs} through the {@code zfs} command: an argument vector (never a shell), {@code -H} output (tab-separated,
 * no header) and {@code zfs get -p} for exact numbers, which zfs-fuse supports while it lacks {@code list -p}.
 */
public final class ZfsCli implements Zfs {
    private static final String PROBE_DATASET = "berth-probe-no-such-pool/x";
    private final String binary;
    private final Duration timeout;
    private volatile ZfsFlavor flavor;

    /** @param binary the {@code zfs} command, for example {@code zfs} or {@code /sbin/zfs} */
    public ZfsCli(String binary, Duration timeout) {
        this.binary = binary;
        this.timeout = timeout;
    }

    /** {@code zfs} from the PATH, 60 s per call. */
    public static ZfsCli standard() {
        return new ZfsCli("zfs", Duration.ofSeconds(60));
    }

    /**
     * OpenZFS answers {@code list -p} on a missing dataset with exit 1 ("does not exist"); zfs-fuse refuses the flag
     * itself with exit 2 ("invalid option"), or names itself when its daemon is down. One short call, made once it is
     * conclusive.
     */
    @Override
    public ZfsFlavor flavor() {
        ZfsFlavor f = flavor;
        if (f == null) {
            CommandResult r = Command.of(binary, "list", "-H", "-p", "-o", "name", PROBE_DATASET).timeout(timeout).run();
            String err = r.stderr();
            if ((r.exitCode() == 2 && err.contains("invalid option")) || err.contains("zfs-fuse")) {
                f = ZfsFlavor.ZFS_FUSE;
            } else {
                f = ZfsFlavor.OPENZFS;
                if (!err.contains("does not exist") && !err.contains("no such pool")) {
                    return f; // inconclusive (zfs not answering): asked again next time
                }
            }
            flavor = f;
        }
        return f;
    }

    @Override
    public boolean exists(String name) {
        CommandResult r = exec(List.of("list", "-H", "-o", "name", "-t", "all", name));
        if (r.ok()) {
            return true;
        }
        ZfsException e = failure(r);
        if (e.kind() == ZfsException.Kind.NOT_FOUND) {
            return false;
        }
        throw e;
    }

    @Override
    public void create(String dataset, Map<String, String> properties, boolean parents) {
        List<String> argv = new ArrayList<>(List.of("create"));
        if (parents) {
            argv.add("-p");
        }
        options(argv, properties);
        argv.add(dataset);
        check(argv);
    }

    @Override
    public void clone(String snapshot, String dataset, Map<String, String> properties) {
        List<String> argv = new ArrayList<>(List.of("clone"));
        options(argv, properties);
        argv.add(snapshot);
        argv.add(dataset);
        check(argv);
    }

    /**
     * zfs-fuse answers "dataset is busy" when destroying a file system mounted moments ago, yet destroys it once it
     * is unmounted explicitly: on BUSY this unmounts the file systems being destroyed (deepest first) and tries once
     * more. A BUSY that remains is thrown; retrying later is the caller's choice.
     */
    @Override
    public void destroy(String name, boolean recursive) {
        List<String> argv = recursive ? List.of("destroy", "-r", name) : List.of("destroy", name);
        CommandResult r = exec(argv);
        if (r.ok()) {
            return;
        }
        ZfsException e = failure(r);
        if (e.kind() != ZfsException.Kind.BUSY || name.contains("@")) {
            throw e;
        }
        List<String> mounted = new ArrayList<>(lines(check(List.of("list", "-H", "-r", "-t", "filesystem", "-o",
                "name", name))));
        java.util.Collections.reverse(mounted);
        for (String fs : recursive ? mounted : List.of(name)) {
            unmount(fs);
        }
        check(argv);
    }

    @Override
    public Map<String, String> get(String name, List<String> properties) {
        String out = check(List.of("get", "-H", "-p", "-o", "property,value", String.join(",", properties), name));
        Map<String, String> values = new LinkedHashMap<>();
        for (String line : lines(out)) {
            String[] f = line.split("\t", -1);
            if (f.length >= 2) {
                values.put(f[0], f[1]);
            }
        }
        for (String p : properties) {
            values.putIfAbsent(p, "-");
        }
        return values;
    }

    @Override
    public Map<String, String> localUserProperties(String name) {
        String out = check(List.of("get", "-H", "-p", "-o", "property,value", "-s", "local", "all", name));
        Map<String, String> values = new LinkedHashMap<>();
        for (String line : lines(out)) {
            String[] f = line.split("\t", -1);
            if (f.length >= 2 && f[0].contains(":")) {
                values.put(f[0], f[1]);
            }
        }
        return values;
    }

    @Override
    public void set(String name, String property, String value) {
        check(List.of("set", property + "=" + value, name));
    }

    @Override
    public void inherit(String name, String property) {
        check(List.of("inherit", property, name));
    }

    @Override
    public List<Map<String, String>> children(String parent, List<String> columns) {
        List<String> cols = new ArrayList<>(List.of("name"));
        cols.addAll(columns);
        String out = check(List.of("list", "-H", "-r", "-d", "1", "-t", "filesystem", "-o", String.join(",", cols),
                parent));
        List<Map<String, String>> rows = new ArrayList<>();
        for (String line : lines(out)) {
            String[] f = line.split("\t", -1);
            if (f[0].equals(parent)) {
                continue;
            }
            Map<String, String> row = new LinkedHashMap<>();
            for (int i = 0; i < cols.size() && i < f.length; i++) {
                row.put(cols.get(i), f[i]);
            }
            rows.add(row);
        }
        return rows;
    }

    @Override
    public void snapshot(String snapshot, Map<String, String> properties) {
        List<String> argv = new ArrayList<>(List.of("snapshot"));
        options(argv, properties);
        argv.add(snapshot);
        check(argv);
    }

    /** Names from {@code zfs list -t snapshot}, then exact numbers per snapshot from {@code zfs get -p}. */
    @Override
    public List<Snapshot> snapshots(String dataset) {
        String out = check(List.of("list", "-H", "-r", "-d", "1", "-t", "snapshot", "-o", "name", "-s", "creation",
                dataset));
        List<Snapshot> snaps = new ArrayList<>();
        List<String> names = lines(out).stream().filter(n -> n.startsWith(dataset + "@")).toList();
        if (names.isEmpty()) {
            return snaps;
        }
        List<String> argv = new ArrayList<>(List.of("get", "-H", "-p", "-o", "name,property,value", "creation,used"));
        argv.addAll(names);
        Map<String, long[]> numbers = new LinkedHashMap<>();
        for (String line : lines(check(argv))) {
            String[] f = line.split("\t", -1);
            long[] n = numbers.computeIfAbsent(f[0], k -> new long[2]);
            n[f[1].equals("creation") ? 0 : 1] = parseLong(f[2]);
        }
        for (String n : names) {
            long[] v = numbers.getOrDefault(n, new long[2]);
            snaps.add(new Snapshot(n, v[0], v[1]));
        }
        return snaps;
    }

    @Override
    public void rollback(String snapshot) {
        check(List.of("rollback", "-r", snapshot));
    }

    @Override
    public void mount(String dataset) {
        CommandResult r = exec(List.of("mount", dataset));
        if (!r.ok() && !r.stderr().contains("already mounted")) {
            throw failure(r);
        }
    }

    @Override
    public void unmount(String dataset) {
        CommandResult r = exec(List.of("unmount", dataset));
        if (!r.ok() && !r.stderr().contains("not currently mounted")) {
            throw failure(r);
        }
    }

    private static void options(List<String> argv, Map<String, String> properties) {
        properties.forEach((k, v) -> {
            argv.add("-o");
            argv.add(k + "=" + v);
        });
    }

    private String check(List<String> args) {
        CommandResult r = exec(args);
        if (!r.ok()) {
            throw failure(r);
        }
        return r.stdout();
    }

    private CommandResult exec(List<String> args) {
        List<String> argv = new ArrayList<>();
        argv.add(binary);
        argv.addAll(args);
        try {
            return Command.of(argv).timeout(timeout).run();
        } catch (CommandFailedException e) {
            throw new ZfsException(ZfsException.Kind.UNAVAILABLE, e.getMessage());
        }
    }

    private static ZfsException failure(CommandResult r) {
        String err = r.stderr().strip().isEmpty() ? r.stdout().strip() : r.stderr().strip();
        return new ZfsException(ZfsException.classify(err), "`" + r.command() + "` exited " + r.exitCode() + ": " + err);
    }

    private static List<String> lines(String out) {
        return out.lines().filter(l -> !l.isBlank()).toList();
    }

    private static long parseLong(String v) {
        try {
            return Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
