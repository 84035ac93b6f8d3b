package dev.berth.zfs;

import dev.berth.host.error.BadRequestException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The {@code -o key=value} options of {@code docker volume create -d berth/zfs}, validated in full before anything is
 * created. Example: {@code -o size=10G -o compression=lz4 -o uid=1000 -o gid=1000 -o mode=750
 * -o snapshot-every=1h -o keep=24}.
 *
 * <ul>
 *   <li>{@code size}: ZFS {@code refquota}, the space the live data may use; snapshots are not counted against it
 *       (so a schedule never makes a full volume read-only), they count against the pool;</li>
 *   <li>{@code reservation}: ZFS {@code refreservation}, space guaranteed to the live data;</li>
 *   <li>{@code compression}, {@code recordsize}, {@code atime}: the ZFS properties of the same names;</li>
 *   <li>{@code from-snapshot=VOLUME@SNAPSHOT}: the new volume is a clone of that snapshot of a Berth volume;</li>
 *   <li>{@code uid}, {@code gid}, {@code mode} (octal): owner and mode of the volume's root directory;</li>
 *   <li>{@code snapshot-every} (for example 1h, at least 1m) and {@code keep} (default 24): scheduled snapshots
 *       named {@code auto-...}, of which the newest {@code keep} are kept.</li>
 * </ul>
 *
 * @param zfsProperties the ZFS properties to create the dataset with
 * @param origin        {@code volume@snapshot} to clone, or null
 */
public record CreateOptions(Map<String, String> zfsProperties, String origin, Integer uid, Integer gid,
                            Integer mode, SnapshotPolicy policy) {
    /** Every option understood, for error messages. */
    public static final List<String> VALID = List.of("size", "reservation", "compression", "recordsize", "atime",
            "from-snapshot", "uid", "gid", "mode", "snapshot-every", "keep");
    private static final Duration MIN_EVERY = Duration.ofMinutes(1);

    public CreateOptions {
        zfsProperties = Map.copyOf(zfsProperties);
    }

    /** No options: a plain dataset. */
    public static CreateOptions none() {
        return new CreateOptions(Map.of(), null, null, null, null, null);
    }

    /** Parses and validates; every problem found is listed in one bad request. */
    public static CreateOptions parse(Map<String, String> opts, ZfsFlavor flavor) {
        List<String> problems = new ArrayList<>();
        TreeSet<String> unknown = new TreeSet<>(opts.keySet());
        unknown.removeAll(VALID);
        if (!unknown.isEmpty()) {
            problems.add("unknown option" + (unknown.size() > 1 ? "s " : " ") + String.join(", ", unknown)
                    + "; valid options: " + String.join(", ", VALID));
        }
        Map<String, String> props = new LinkedHashMap<>();
        String origin = null;
        Integer uid = null;
        Integer gid = null;
        Integer mode = null;
        Duration every = null;
        Integer keep = null;
        for (Map.Entry<String, String> e : opts.entrySet()) {
            String v = e.getValue() == null ? "" : e.getValue().trim();
            try {
                switch (e.getKey()) {
                    case "size" -> props.put("refquota", Long.toString(positive(Sizes.bytes(v), "size")));
                    case "reservation" -> props.put("refreservation", Long.toString(Sizes.bytes(v)));
                    case "compression" -> props.put("compression", compression(v, flavor));
                    case "recordsize" -> props.put("recordsize", Long.toString(recordsize(v)));
                    case "atime" -> props.put("atime", onOff(v, "atime"));
                    case "from-snapshot" -> origin = origin(v);
                    case "uid" -> uid = id(v, "uid");
                    case "gid" -> gid = id(v, "gid");
                    case "mode" -> mode = mode(v);
                    case "snapshot-every" -> every = every(v);
                    case "keep" -> keep = keep(v);
                    default -> {
                        // listed above as unknown
                    }
                }
            } catch (IllegalArgumentException | BadRequestException ex) {
                problems.add(e.getKey() + ": " + ex.getMessage());
            }
        }
        if (keep != null && every == null) {
            problems.add("keep needs snapshot-every (for example -o snapshot-every=1h -o keep=24)");
        }
        if (!problems.isEmpty()) {
            throw new BadRequestException("invalid volume options: " + String.join("; ", problems));
        }
        SnapshotPolicy policy = every == null ? null : new SnapshotPolicy(every, keep == null ? 24 : keep);
        return new CreateOptions(props, origin, uid, gid, mode, policy);
    }

    /** The origin's volume name, or null. */
    public String originVolume() {
        return origin == null ? null : origin.substring(0, origin.indexOf('@'));
    }

    /** The origin's snapshot name, or null. */
    public String originSnapshot() {
        return origin == null ? null : origin.substring(origin.indexOf('@') + 1);
    }

    /** Whether the root directory needs an owner or mode set after creation. */
    public boolean setsOwnership() {
        return uid != null || gid != null || mode != null;
    }

    private static long positive(long v, String what) {
        if (v <= 0) {
            throw new IllegalArgumentException(what + " must be larger than 0");
        }
        return v;
    }

    private static String compression(String v, ZfsFlavor flavor) {
        String c = v.toLowerCase(java.util.Locale.ROOT);
        if (c.matches("on|off|lzjb|gzip|gzip-[1-9]|zle")) {
            return c;
        }
        if (c.matches("lz4|zstd|zstd-([1-9]|1[0-9])")) {
            if (!flavor.hasLz4()) {
                throw new IllegalArgumentException("'" + v + "' is not available on " + flavor
                        + "; use on, off, lzjb, gzip, gzip-1..9 or zle");
            }
            return c;
        }
        throw new IllegalArgumentException("'" + v + "' is not a compression: use on, off, lzjb, gzip, gzip-1..9, zle"
                + (flavor.hasLz4() ? ", lz4 or zstd" : ""));
    }

    private static long recordsize(String v) {
        long b = Sizes.bytes(v);
        if (b < 512 || b > 1 << 20 || Long.bitCount(b) != 1) {
            throw new IllegalArgumentException("'" + v + "' must be a power of two from 512 to 1M");
        }
        return b;
    }

    private static String onOff(String v, String what) {
        if (!v.equals("on") && !v.equals("off")) {
            throw new IllegalArgumentException("'" + v + "' must be on or off");
        }
        return v;
    }

    private static String origin(String v) {
        int at = v.indexOf('@');
        if (at < 0) {
            throw new IllegalArgumentException("'" + v + "' must be VOLUME@SNAPSHOT");
        }
        Names.volume(v.substring(0, at));
        Names.snapshot(v.substring(at + 1));
        return v;
    }

    private static int id(String v, String what) {
        try {
            int n = Integer.parseInt(v);
            if (n < 0) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + v + "' must be a number >= 0");
        }
    }

    private static int mode(String v) {
        if (!v.matches("[0-7]{3,4}")) {
            throw new IllegalArgumentException("'" + v + "' must be octal, for example 755 or 0750");
        }
        return Integer.parseInt(v, 8);
    }

    private static Duration every(String v) {
        Duration d = Sizes.duration(v);
        if (d.compareTo(MIN_EVERY) < 0) {
            throw new IllegalArgumentException("'" + v + "' is shorter than 1m");
        }
        return d;
    }

    private static int keep(String v) {
        try {
            int n = Integer.parseInt(v);
            if (n < 1 || n > 1000) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + v + "' must be a number from 1 to 1000");
        }
    }
}
