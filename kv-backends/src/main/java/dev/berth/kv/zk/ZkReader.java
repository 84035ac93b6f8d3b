package dev.berth.kv.zk;

import dev.berth.kv.log.KeyData;
import dev.berth.kv.log.LogEntry;
import dev.berth.kv.KeyValue;
import dev.berth.kv.Listing;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Reads: one key, or a consistent listing of a prefix.
 *
 * <p>A listing reads the head revision h1, walks the prefix's znodes (a level at a time, the requests of a level
 * pipelined), reads the head again (h2), then replays the log entries h1+1..h2 on what it read. A key that no entry in
 * (h1, h2] touches was the same during the whole walk, so the walk read its state at h2; a key that one touches takes
 * its state from the last such entry, which holds the full value. The result is exactly the store at revision h2,
 * which the listing returns: watching from it misses nothing and repeats nothing. (Every change, including the
 * deletion of a dead lease's keys, goes through the log; ZooKeeper serves one session's reads in order, so h1, the
 * walk and h2 are seen in that order even across a reconnect.)
 */
final class ZkReader {
    private static final int LOG_CHUNK = 1000;

    private final ZkCalls zk;
    private final ZkLayout layout;
    private final ZkWriter writer;

    ZkReader(ZkCalls zk, ZkLayout layout, ZkWriter writer) {
        this.zk = zk;
        this.layout = layout;
        this.writer = writer;
    }

    Optional<KeyValue> get(String key) {
        String path = layout.keyPath(key);
        return zk.getData(path, null, zk.deadline())
                .flatMap(n -> KeyData.decodeNode(path, n.data()))
                .map(d -> d.toKeyValue(key));
    }

    Listing list(String prefix) {
        long deadline = zk.deadline();
        while (true) {
            long h1 = writer.readHead(deadline);
            TreeMap<String, KeyValue> entries = walk(prefix, deadline);
            long h2 = writer.readHead(deadline);
            if (replay(prefix, entries, h1, h2, deadline)) {
                return new Listing(new ArrayList<>(entries.values()), h2);
            }
            zk.pause("list " + prefix, deadline); // the entries we needed were trimmed meanwhile: walk again
        }
    }

    private TreeMap<String, KeyValue> walk(String prefix, long deadline) {
        TreeMap<String, KeyValue> entries = new TreeMap<>();
        int slash = prefix.lastIndexOf('/');
        String dirKey = slash < 0 ? "" : prefix.substring(0, slash);
        String namePrefix = prefix.substring(slash + 1);
        String dir = dirKey.isEmpty() ? layout.keysDir() : layout.keyPath(dirKey);
        List<String> level = new ArrayList<>();
        for (String name : zk.children(dir, null, deadline).orElse(List.of())) {
            if (name.startsWith(namePrefix)) {
                level.add(dirKey.isEmpty() ? name : dirKey + "/" + name);
            }
        }
        while (!level.isEmpty()) {
            List<String> paths = level.stream().map(layout::keyPath).toList();
            List<Optional<ZkCalls.Node>> data = zk.getDataAll(paths, deadline);
            List<Optional<List<String>>> children = zk.childrenAll(paths, deadline);
            List<String> next = new ArrayList<>();
            for (int i = 0; i < level.size(); i++) {
                String key = level.get(i);
                String path = paths.get(i);
                data.get(i).flatMap(n -> KeyData.decodeNode(path, n.data()))
                        .ifPresent(d -> entries.put(key, d.toKeyValue(key)));
                for (String child : children.get(i).orElse(List.of())) {
                    next.add(key + "/" + child);
                }
            }
            level = next;
        }
        return entries;
    }

    /** Applies the log entries after..upTo; false if some were already trimmed. */
    private boolean replay(String prefix, TreeMap<String, KeyValue> entries, long after, long upTo, long deadline) {
        for (long from = after + 1; from <= upTo; from += LOG_CHUNK) {
            List<String> paths = new ArrayList<>();
            for (long r = from; r <= Math.min(upTo, from + LOG_CHUNK - 1); r++) {
                paths.add(layout.logPath(r));
            }
            List<Optional<ZkCalls.Node>> nodes = zk.getDataAll(paths, deadline);
            for (int i = 0; i < nodes.size(); i++) {
                if (nodes.get(i).isEmpty()) {
                    return false;
                }
                LogEntry e = LogEntry.decode(paths.get(i), nodes.get(i).get().data());
                if (e.type() == LogEntry.Type.GENESIS || !e.key().startsWith(prefix)) {
                    continue;
                }
                long revision = from + i;
                if (e.type() == LogEntry.Type.PUT) {
                    entries.put(e.key(), e.toEvent(revision).entry());
                } else {
                    entries.remove(e.key());
                }
            }
        }
        return true;
    }
}
