package dev.berth.lab;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Predicate;

/**
 * The mounts of this process's mount namespace, parsed from {@code /proc/self/mountinfo}, and the order in which to
 * take the lab's ones down. Pure parsing; unmounting itself is in {@link Cleanup}.
 */
final class MountTable {
    /** One line of mountinfo: {@code 36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw}. */
    record Mount(int id, int parentId, Path mountPoint, String fsType) { }

    private MountTable() {
    }

    static List<Mount> read() {
        try {
            return parse(Files.readString(Path.of("/proc/self/mountinfo"), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new LabException("cannot read /proc/self/mountinfo: " + e.getMessage(), e);
        }
    }

    static List<Mount> parse(String mountinfo) {
        List<Mount> mounts = new ArrayList<>();
        for (String line : mountinfo.split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            String[] f = line.trim().split(" ");
            int dash = List.of(f).indexOf("-");
            if (f.length < 5 || dash < 6 || dash + 1 >= f.length) {
                throw new LabException("unexpected mountinfo line: " + line);
            }
            mounts.add(new Mount(Integer.parseInt(f[0]), Integer.parseInt(f[1]), Path.of(unescape(f[4])), f[dash + 1]));
        }
        return mounts;
    }

    /** mountinfo writes space, tab, newline and backslash as three-digit octal escapes ({@code \040}). */
    static String unescape(String field) {
        StringBuilder out = new StringBuilder(field.length());
        for (int i = 0; i < field.length(); i++) {
            char c = field.charAt(i);
            if (c == '\\' && isOctal(field, i + 1, 3)) {
                out.append((char) Integer.parseInt(field.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    /**
     * The mount points to unmount, one entry per mount: deepest paths first, and of mounts stacked on the same path
     * the later (upper) one first, so that no unmount is refused because something is mounted below it.
     */
    static List<Path> unmountOrder(List<Mount> mounts, Predicate<Path> include) {
        List<Integer> picked = new ArrayList<>();
        for (int i = 0; i < mounts.size(); i++) {
            if (include.test(mounts.get(i).mountPoint())) {
                picked.add(i);
            }
        }
        picked.sort(Comparator.<Integer>comparingInt(i -> mounts.get(i).mountPoint().getNameCount()).reversed()
                .thenComparing(Comparator.<Integer>naturalOrder().reversed()));
        List<Path> order = new ArrayList<>();
        picked.forEach(i -> order.add(mounts.get(i).mountPoint()));
        return order;
    }

    private static boolean isOctal(String s, int from, int count) {
        if (from + count > s.length()) {
            return false;
        }
        for (int i = from; i < from + count; i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '7') {
                return false;
            }
        }
        return true;
    }
}
