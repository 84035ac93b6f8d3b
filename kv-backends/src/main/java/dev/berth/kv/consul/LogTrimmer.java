package dev.berth.kv.consul;

import dev.berth.kv.KvException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the log to its last {@code log-keep} entries. The trimmer first raises {@code floor} (a cas on its
 * ModifyIndex, so of two trimmers one raises it) and only then deletes the entries up to it, 64 per transaction; a
 * watcher that finds an entry missing and then reads the floor therefore knows for sure whether it was trimmed (reset
 * COMPACTED) or is yet to come. Any store may trim; it does so in the background after every {@code every}-th
 * revision it wrote. What it does not do: trim by age (Consul's KV entries carry no timestamp), or finish the deletions
 * of a trimmer that died between raising the floor and deleting (those entries stay, harmless, below the floor).
 */
final class LogTrimmer {
    private static final Logger LOG = LoggerFactory.getLogger(LogTrimmer.class);
    static final int OPS_PER_TXN = 64;

    private final KvCalls kv;
    private final ConsulLayout layout;
    private final ConsulWriter writer;
    private final long keep;
    private final long every;
    private final ExecutorService executor;
    private final AtomicBoolean pending = new AtomicBoolean();

    LogTrimmer(KvCalls kv, ConsulLayout layout, ConsulWriter writer, long keep, ExecutorService executor) {
        this.kv = kv;
        this.layout = layout;
        this.writer = writer;
        this.keep = keep;
        this.every = every(keep);
        this.executor = executor;
    }

    /** How often (in revisions) a store trims: a tenth of what is kept, between 1 and 1000. */
    static long every(long keep) {
        return Math.max(1, Math.min(1000, keep / 10));
    }

    /** Pure: the new floor for this head (keep the last {@code keep} entries), or -1 when nothing is to be trimmed. */
    static long newFloor(long head, long floor, long keep) {
        long bound = head - keep;
        return bound > floor ? bound : -1;
    }

    /** Pure: the transactions deleting the entries floor+1..newFloor, at most {@value #OPS_PER_TXN} deletes each. */
    static List<List<TxnOp>> deletions(ConsulLayout layout, long floor, long newFloor) {
        List<List<TxnOp>> out = new ArrayList<>();
        List<TxnOp> batch = new ArrayList<>();
        for (long r = floor + 1; r <= newFloor; r++) {
            batch.add(TxnOp.delete(layout.log(r)));
            if (batch.size() == OPS_PER_TXN) {
                out.add(batch);
                batch = new ArrayList<>();
            }
        }
        if (!batch.isEmpty()) {
            out.add(batch);
        }
        return out;
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
                        LOG.warn("trimming the log under {} failed: {}", layout.logDir(), e.getMessage());
                    }
                });
            } catch (RejectedExecutionException e) {
                pending.set(false);
            }
        }
    }

    void trim() {
        long head = writer.readHead().revision();
        Optional<KvEntry> f = kv.get(layout.floor());
        if (f.isEmpty()) {
            return;
        }
        long floor = ConsulLayout.parseCounter(f.get().key(), f.get().value());
        long raised = newFloor(head, floor, keep);
        if (raised < 0 || !kv.txn(List.of(TxnOp.cas(layout.floor(), f.get().modifyIndex(),
                ConsulLayout.counter(raised)))).applied()) {
            return;
        }
        for (List<TxnOp> batch : deletions(layout, floor, raised)) {
            kv.txn(batch);
        }
    }
}
