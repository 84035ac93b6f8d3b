package dev.berth.kv.consul;

import dev.berth.kv.log.KeyData;
import dev.berth.kv.log.LogEntry;
import dev.berth.kv.KeyValue;
import dev.berth.kv.KvUnavailableException;
import dev.berth.kv.Listing;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Reads: one key, or a listing of a prefix that is exact at the revision it returns.
 *
 * <p>A listing reads the head h1, the keys under the prefix ({@code keys/<prefix>?recurse}, one consistent read of
 * Consul's state), the head again (h2), then replays the log entries h1+1..h2 on what it read ({@link #replay}). A key
 * no entry in (h1, h2] touches was the same during the whole read, so the read saw its state at h2; a key one touches
 * takes its state from the last such entry, which holds the full value. The result is the store at revision h2: a
 * watch from it misses nothing and repeats nothing. This relies on the three reads seeing Consul's state in that order,
 * which holds for the default consistency mode (the leader answers) except across a leader change that lets a deposed
 * leader answer a stale read; {@code ?consistent} would close that window at the cost of a quorum round per read.
 */
final class ConsulReader {
    private final KvCalls kv;
    private final ConsulLayout layout;
    private final ConsulWriter writer;
    private final LogReader log;

    ConsulReader(KvCalls kv, ConsulLayout layout, ConsulWriter writer, LogReader log) {
        this.kv = kv;
        this.layout = layout;
        this.writer = writer;
        this.log = log;
    }

    Optional<KeyValue> get(String key) {
        String path = layout.key(key);
        return kv.get(path).map(e -> KeyData.decode(path, e.value()).toKeyValue(key));
    }

    Listing list(String prefix) {
        long deadline = System.nanoTime() + kv.timeout().toNanos();
        while (true) {
            long h1 = writer.readHead().revision();
            TreeMap<String, KeyValue> entries = new TreeMap<>();
            for (KvEntry e : kv.recurse(layout.key(prefix))) {
                String key = layout.storeKey(e.key());
                if (key != null && key.startsWith(prefix)) {
                    entries.put(key, KeyData.decode(e.key(), e.value()).toKeyValue(key));
                }
            }
            long h2 = writer.readHead().revision();
            List<LogReader.Entry> between = h2 > h1 ? log.read(h1 + 1, h2) : List.of();
            if (replay(prefix, entries, h1, h2, between)) {
                return new Listing(new ArrayList<>(entries.values()), h2);
            }
            if (System.nanoTime() > deadline) {
                throw new KvUnavailableException("Consul: could not read the log entries " + (h1 + 1) + ".." + h2
                        + " to list " + prefix + " within " + kv.timeout().toMillis() + " ms");
            }
            pause();
        }
    }

    /**
     * Pure: applies the entries after..upTo under prefix to {@code entries}; false (and {@code entries} unusable) if
     * some entry of that range is not among {@code between} (trimmed, or not visible yet): list again.
     */
    static boolean replay(String prefix, TreeMap<String, KeyValue> entries, long after, long upTo,
                          List<LogReader.Entry> between) {
        if (between.size() != Math.max(0, upTo - after)) {
            return false;
        }
        for (LogReader.Entry e : between) {
            LogEntry le = e.entry();
            if (!le.key().startsWith(prefix)) {
                continue;
            }
            if (le.type() == LogEntry.Type.PUT) {
                entries.put(le.key(), le.toEvent(e.revision()).entry());
            } else {
                entries.remove(le.key());
            }
        }
        return true;
    }

    private static void pause() {
        try {
            Thread.sleep(20);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new dev.berth.kv.KvException("interrupted", e);
        }
    }
}
