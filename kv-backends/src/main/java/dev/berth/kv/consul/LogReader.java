package dev.berth.kv.consul;

import dev.berth.kv.log.LogEntry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads runs of the log: the entries from..to, in revision order, stopping before the first one that is missing
 * (trimmed, or not yet visible on the server that answered). A read covers {@value ConsulLayout#BLOCK} revisions per
 * request ({@code ?recurse} on the block's 17-digit name prefix, {@link ConsulLayout#logBlocks}).
 */
final class LogReader {
    /** One log entry and its revision. */
    record Entry(long revision, LogEntry entry) {
    }

    private final KvCalls kv;
    private final ConsulLayout layout;

    LogReader(KvCalls kv, ConsulLayout layout) {
        this.kv = kv;
        this.layout = layout;
    }

    List<Entry> read(long from, long to) {
        List<KvEntry> raw = new ArrayList<>();
        for (String block : layout.logBlocks(from, to)) {
            List<KvEntry> got = kv.recurse(block);
            raw.addAll(got);
            if (contiguous(layout, from, to, raw).size() < expectedUpTo(block, from, to)) {
                break; // a gap in this block: later blocks cannot be delivered yet anyway
            }
        }
        return contiguous(layout, from, to, raw);
    }

    private static long expectedUpTo(String block, long from, long to) {
        long b = Long.parseLong(block.substring(block.length() - 17));
        return Math.min(to, b * ConsulLayout.BLOCK + ConsulLayout.BLOCK - 1) - from + 1;
    }

    /** Pure: the entries from..to found in {@code raw}, in order, up to (not including) the first missing revision. */
    static List<Entry> contiguous(ConsulLayout layout, long from, long to, List<KvEntry> raw) {
        Map<Long, KvEntry> byRevision = new TreeMap<>();
        for (KvEntry e : raw) {
            long r = layout.revisionOf(e.key());
            if (r >= from && r <= to) {
                byRevision.put(r, e);
            }
        }
        List<Entry> out = new ArrayList<>();
        for (long r = from; r <= to; r++) {
            KvEntry e = byRevision.get(r);
            if (e == null) {
                break;
            }
            out.add(new Entry(r, LogEntry.decode(e.key(), e.value())));
        }
        return out;
    }
}
