package dev.berth.zfs;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An in-memory ZFS with the semantics the driver relies on: datasets in a tree, local and inherited properties,
 * snapshots in creation order, clones that pin their origin, mount state, and "busy" on demand. Thread-safe
 * (one lock), like the single zfs daemon it stands for.
 */
public final class FakeZfs implements Zfs {
    private final Map<String, Node> nodes = new TreeMap<>();
    private final AtomicLong clock = new AtomicLong(1_700_000_000L);
    private final AtomicInteger busyDestroys = new AtomicInteger();
    private final AtomicInteger calls = new AtomicInteger();
    private final String mountRoot;

    private static final class Node {
        final Map<String, String> props = new LinkedHashMap<>();
        final long creation;
        final long seq;
        boolean mounted;
        String origin;

        Node(long creation, long seq) {
            this.creation = creation;
            this.seq = seq;
        }
    }

    /** A fake whose pools mount under {@code mountRoot}. */
    public FakeZfs(String mountRoot) {
        this.mountRoot = mountRoot;
    }

    public FakeZfs() {
        this("/fake");
    }

    /** The next {@code n} destroys fail with "dataset is busy". */
    public void busyFor(int n) {
        busyDestroys.set(n);
    }

    /** Moves the fake's clock (creation times) on. */
    public void advanceSeconds(long s) {
        clock.addAndGet(s);
    }

    /** Number of calls made, to check that something was not asked. */
    public int calls() {
        return calls.get();
    }

    /** Creates a pool (a root dataset). */
    public synchronized void pool(String name) {
        Node n = new Node(clock.get(), nodes.size());
        n.mounted = true;
        nodes.put(name, n);
    }

    @Override
    public ZfsFlavor flavor() {
        return ZfsFlavor.ZFS_FUSE;
    }

    @Override
    public synchronized boolean exists(String name) {
        calls.incrementAndGet();
        return nodes.containsKey(name);
    }

    @Override
    public synchronized void create(String dataset, Map<String, String> properties, boolean parents) {
        calls.incrementAndGet();
        if (nodes.containsKey(dataset)) {
            throw new ZfsException(ZfsException.Kind.EXISTS, "cannot create '" + dataset + "': dataset already exists");
        }
        String parent = parentOf(dataset);
        if (parent == null || !nodes.containsKey(parent)) {
            if (!parents || parent == null) {
                throw new ZfsException(ZfsException.Kind.NOT_FOUND, "cannot create '" + dataset
                        + "': parent does not exist");
            }
            create(parent, Map.of(), true);
        }
        validate(properties);
        Node n = new Node(clock.get(), nodes.size());
        n.props.putAll(properties);
        n.mounted = !"noauto".equals(properties.get("canmount")) && !"off".equals(properties.get("canmount"));
        nodes.put(dataset, n);
    }

    @Override
    public synchronized void clone(String snapshot, String dataset, Map<String, String> properties) {
        calls.incrementAndGet();
        if (!nodes.containsKey(snapshot)) {
            throw new ZfsException(ZfsException.Kind.NOT_FOUND, "cannot open '" + snapshot + "': dataset does not exist");
        }
        create(dataset, properties, false);
        nodes.get(dataset).origin = snapshot;
    }

    @Override
    public synchronized void destroy(String name, boolean recursive) {
        calls.incrementAndGet();
        Node n = nodes.get(name);
        if (n == null) {
            throw new ZfsException(ZfsException.Kind.NOT_FOUND, "cannot open '" + name + "': dataset does not exist");
        }
        List<String> below = new ArrayList<>();
        for (String other : nodes.keySet()) {
            if (other.startsWith(name + "@") || other.startsWith(name + "/")) {
                below.add(other);
            }
        }
        Set<String> doomed = new HashSet<>(below);
        doomed.add(name);
        for (Map.Entry<String, Node> e : nodes.entrySet()) {
            if (e.getValue().origin != null && doomed.contains(e.getValue().origin) && !doomed.contains(e.getKey())) {
                throw new ZfsException(ZfsException.Kind.DEPENDENT, "cannot destroy '" + name
                        + "': snapshot has dependent clones");
            }
        }
        if (!below.isEmpty() && !recursive) {
            throw new ZfsException(ZfsException.Kind.DEPENDENT, "cannot destroy '" + name + "': filesystem has children");
        }
        if (busyDestroys.getAndUpdate(b -> Math.max(0, b - 1)) > 0) {
            throw new ZfsException(ZfsException.Kind.BUSY, "cannot destroy '" + name + "': dataset is busy");
        }
        below.forEach(nodes::remove);
        nodes.remove(name);
    }

    @Override
    public synchronized Map<String, String> get(String name, List<String> properties) {
        calls.incrementAndGet();
        Node n = require(name);
        Map<String, String> out = new LinkedHashMap<>();
        for (String p : properties) {
            out.put(p, value(name, n, p));
        }
        return out;
    }

    @Override
    public synchronized Map<String, String> localUserProperties(String name) {
        calls.incrementAndGet();
        Map<String, String> out = new LinkedHashMap<>();
        require(name).props.forEach((k, v) -> {
            if (k.contains(":")) {
                out.put(k, v);
            }
        });
        return out;
    }

    @Override
    public synchronized void set(String name, String property, String value) {
        calls.incrementAndGet();
        validate(Map.of(property, value));
        require(name).props.put(property, value);
    }

    @Override
    public synchronized void inherit(String name, String property) {
        calls.incrementAndGet();
        require(name).props.remove(property);
    }

    @Override
    public synchronized List<Map<String, String>> children(String parent, List<String> columns) {
        calls.incrementAndGet();
        require(parent);
        List<Map<String, String>> rows = new ArrayList<>();
        for (Map.Entry<String, Node> e : nodes.entrySet()) {
            String k = e.getKey();
            if (k.startsWith(parent + "/") && !k.substring(parent.length() + 1).contains("/") && !k.contains("@")) {
                Map<String, String> row = new LinkedHashMap<>();
                row.put("name", k);
                for (String c : columns) {
                    row.put(c, value(k, e.getValue(), c));
                }
                rows.add(row);
            }
        }
        return rows;
    }

    @Override
    public synchronized void snapshot(String snapshot, Map<String, String> properties) {
        calls.incrementAndGet();
        int at = snapshot.indexOf('@');
        if (at < 0) {
            throw new ZfsException(ZfsException.Kind.INVALID, "cannot create snapshot '" + snapshot + "': invalid name");
        }
        require(snapshot.substring(0, at));
        if (nodes.containsKey(snapshot)) {
            throw new ZfsException(ZfsException.Kind.EXISTS, "cannot create snapshot '" + snapshot
                    + "': dataset already exists");
        }
        Node n = new Node(clock.get(), nodes.size() + System.nanoTime());
        n.props.putAll(properties);
        nodes.put(snapshot, n);
    }

    @Override
    public synchronized List<Snapshot> snapshots(String dataset) {
        calls.incrementAndGet();
        require(dataset);
        List<Map.Entry<String, Node>> snaps = new ArrayList<>();
        for (Map.Entry<String, Node> e : nodes.entrySet()) {
            if (e.getKey().startsWith(dataset + "@")) {
                snaps.add(e);
            }
        }
        snaps.sort((a, b) -> Long.compare(a.getValue().seq, b.getValue().seq));
        return snaps.stream().map(e -> new Snapshot(e.getKey(), e.getValue().creation, 0)).toList();
    }

    @Override
    public synchronized void rollback(String snapshot) {
        calls.incrementAndGet();
        Node target = require(snapshot);
        String dataset = snapshot.substring(0, snapshot.indexOf('@'));
        for (Snapshot s : snapshots(dataset)) {
            if (nodes.get(s.name()).seq > target.seq) {
                destroy(s.name(), false);
            }
        }
    }

    @Override
    public synchronized void mount(String dataset) {
        calls.incrementAndGet();
        require(dataset).mounted = true;
    }

    @Override
    public synchronized void unmount(String dataset) {
        calls.incrementAndGet();
        require(dataset).mounted = false;
    }

    private String value(String name, Node n, String p) {
        switch (p) {
            case "mounted":
                return name.contains("@") ? "-" : n.mounted ? "yes" : "no";
            case "mountpoint":
                return name.contains("@") ? "-" : mountRoot + "/" + name;
            case "creation":
                return Long.toString(n.creation);
            case "origin":
                return n.origin == null ? "-" : n.origin;
            case "used", "referenced", "available":
                return "0";
            default:
                break;
        }
        if (n.props.containsKey(p)) {
            return n.props.get(p);
        }
        if (p.contains(":")) {
            String parent = parentOf(name);
            while (parent != null && nodes.containsKey(parent)) {
                String v = nodes.get(parent).props.get(p);
                if (v != null) {
                    return v;
                }
                parent = parentOf(parent);
            }
            return "-";
        }
        return switch (p) {
            case "quota", "refquota", "reservation", "refreservation" -> "0";
            case "compression" -> "off";
            case "atime" -> "on";
            case "recordsize" -> "131072";
            default -> "-";
        };
    }

    private static void validate(Map<String, String> properties) {
        String c = properties.get("compression");
        if (c != null && !c.matches("on|off|lzjb|gzip|gzip-[1-9]|zle")) {
            throw new ZfsException(ZfsException.Kind.INVALID, "'compression' must be one of 'on | off | lzjb | gzip | "
                    + "gzip-[1-9] | zle'");
        }
    }

    private Node require(String name) {
        Node n = nodes.get(name);
        if (n == null) {
            throw new ZfsException(ZfsException.Kind.NOT_FOUND, "cannot open '" + name + "': dataset does not exist");
        }
        return n;
    }

    private static String parentOf(String dataset) {
        int at = dataset.indexOf('@');
        if (at >= 0) {
            return dataset.substring(0, at);
        }
        int slash = dataset.lastIndexOf('/');
        return slash < 0 ? null : dataset.substring(0, slash);
    }
}
