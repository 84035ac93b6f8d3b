package dev.berth.bench.overlayscale;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The kernel's IPv4 neighbour table, one table for every namespace: its size ({@code /proc/net/stat/arp_cache},
 * whose counters are per CPU) and its garbage-collection thresholds. Permanent entries, which the driver makes one per
 * remote endpoint per host, are exempt from the thresholds since Linux 4.19, so a table far above
 * {@code gc_thresh3} must show no forced GC runs and no "table full" refusals.
 */
public record NeighTable(long entries, long forcedGcRuns, long tableFulls) {
    private static final Path STAT = Path.of("/proc/net/stat/arp_cache");

    public static NeighTable read() {
        try {
            List<String> lines = Files.readAllLines(STAT);
            String[] head = lines.get(0).trim().split("\\s+");
            int entries = List.of(head).indexOf("entries");
            int forced = List.of(head).indexOf("forced_gc_runs");
            int full = List.of(head).indexOf("table_fulls");
            long e = 0;
            long f = 0;
            long t = 0;
            for (String line : lines.subList(1, lines.size())) {
                String[] v = line.trim().split("\\s+");
                e = Long.parseLong(v[entries], 16); // the same on every line: the table's size
                f += Long.parseLong(v[forced], 16);
                t += Long.parseLong(v[full], 16);
            }
            return new NeighTable(e, f, t);
        } catch (IOException | RuntimeException e) {
            return new NeighTable(-1, -1, -1);
        }
    }

    public NeighTable minus(NeighTable before) {
        return new NeighTable(entries, forcedGcRuns - before.forcedGcRuns, tableFulls - before.tableFulls);
    }

    /** {@code net.ipv4.neigh.default.gc_thresh1..3}, as "128/512/1024". */
    public static String thresholds() {
        StringBuilder sb = new StringBuilder();
        for (int i = 1; i <= 3; i++) {
            try {
                sb.append(i > 1 ? "/" : "").append(Files.readAllLines(
                        Path.of("/proc/sys/net/ipv4/neigh/default/gc_thresh" + i)).get(0).trim());
            } catch (IOException e) {
                sb.append(i > 1 ? "/" : "").append('?');
            }
        }
        return sb.toString();
    }
}
