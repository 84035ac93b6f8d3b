package dev.berth.kv.zk;

import dev.berth.kv.KvException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.zookeeper.KeeperException.Code;
import org.apache.zookeeper.data.Stat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the log from growing without end. An entry is deleted once it is not among the last {@code keep} entries, or
 * is older than {@code maxAge} (by the servers' clock: the entry's creation time against the head's last write), and
 * never the head itself. The trimmer first raises {@code floor} to the new lowest revision and only then deletes
 * below it, so a watcher that finds an entry missing and then reads the floor knows for sure whether it was trimmed
 * (reset COMPACTED) or is yet to come.
 *
 * <p>Any client may trim; it does so in the background after every {@code every}-th revision it wrote. Concurrent
 * trimmers only delete what the other already deleted.
 */
final class LogTrimmer {
    private static final Logger LOG = LoggerFactory.getLogger(LogTrimmer.class);
    private static final int CHUNK = 500;

    private final ZkCalls zk;
    private final ZkLayout layout;
    private final long keep;
    private final Duration maxAge;
    private final long every;
    private final ExecutorService executor;
    private final AtomicBoolean pending = new AtomicBoolean();

    LogTrimmer(ZkCalls zk, ZkLayout layout, long keep, Duration maxAge, ExecutorService executor) {
        if (keep < 1) {
            throw new IllegalArgumentException("log-keep must be at least 1");
        }
        this.zk = zk;
        this.layout = layout;
        this.keep = keep;
        this.maxAge = maxAge;
        this.every = Math.max(1, Math.min(1000, keep / 10));
        this.executor = executor;
    }

    /** Called after each write with its revision. */
    void written(long revision) {
        if (revision % every == 0 && pending.compareAndSet(false, true)) {
            try {
                executor.execute(() -> {
                    pending.set(false);
                    try {
                        trim();
                    } catch (KvException e) {
                        if (!zk.isClosed()) {
                            LOG.warn("trimming the log of {} failed: {}", layout.root(), e.getMessage());
                        }
                    }
                });
            } catch (RejectedExecutionException e) {
                pending.set(false);
            }
        }
    }

    void trim() {
        long deadline = zk.deadline();
        ZkCalls.Node headNode = zk.getData(layout.head(), null, deadline).orElseThrow();
        long head = ZkLayout.revisionOf(layout.head(), headNode.data());
        long floor = readFloor(deadline).revision;
        long bound = head - keep + 1;
        bound = Math.max(bound, firstYoungerThan(headNode.stat().getMtime() - maxAge.toMillis(), floor, head,
                deadline));
        bound = Math.min(bound, head);
        if (bound <= floor) {
            return;
        }
        raiseFloor(bound, deadline);
        for (long from = floor; from < bound; from += CHUNK) {
            List<String> paths = new ArrayList<>();
            for (long r = from; r < Math.min(bound, from + CHUNK); r++) {
                paths.add(layout.logPath(r));
            }
            zk.deleteAll(paths, zk.deadline());
        }
    }

    private record Floor(long revision, int version) {
    }

    private Floor readFloor(long deadline) {
        ZkCalls.Node n = zk.getData(layout.floor(), null, deadline).orElseThrow();
        return new Floor(ZkLayout.revisionOf(layout.floor(), n.data()), n.stat().getVersion());
    }

    private void raiseFloor(long bound, long deadline) {
        while (true) {
            Floor f = readFloor(deadline);
            if (f.revision >= bound
                    || zk.setData(layout.floor(), ZkLayout.revisionBytes(bound), f.version, deadline) == Code.OK) {
                return;
            }
        }
    }

    /** The lowest revision in [low, high] created at or after {@code cutoff} (ms), by binary search; high if none. */
    private long firstYoungerThan(long cutoff, long low, long high, long deadline) {
        while (low < high) {
            long mid = low + (high - low) / 2;
            Optional<Stat> s = zk.exists(layout.logPath(mid), null, deadline);
            if (s.isEmpty() || s.get().getCtime() < cutoff) {
                low = mid + 1;
            } else {
                high = mid;
            }
        }
        return low;
    }
}
