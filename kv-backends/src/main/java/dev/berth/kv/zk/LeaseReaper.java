package dev.berth.kv.zk;

import dev.berth.kv.log.LogStore;
import dev.berth.kv.KvException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.zookeeper.Watcher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes the keys of leases that ended, through the log, so watchers see every such deletion as an ordinary DELETE
 * in revision order.
 *
 * <p>Every open store runs one. It watches the children of {@code leases/} (a marker vanishes when its session
 * expires or closes) and also looks every {@value #PERIOD_S} s and at start, so leases that died while no store was
 * running are reaped too. A lease is dead when it has a key index {@code lease-keys/<id>} and no marker; markers are
 * created before their index and never come back, so "no marker now" is final. Reaping a key is a conditional write
 * (only if the key is still bound to that lease, together with removing its index entry), so several stores reaping
 * at once, or a client rewriting the key meanwhile, are harmless, and a leased write cannot slip in afterwards (it
 * checks the marker in its transaction).
 *
 * <p>The guarantee: a dead lease's keys are deleted within the session timeout plus one reaping round after the
 * process died, as long as one store on this prefix is open somewhere; the DELETE events carry revisions after every
 * change made before the reaping. Keys are not EPHEMERAL znodes: ZooKeeper would delete those without a log entry,
 * which no watcher could order against the other changes.
 */
final class LeaseReaper {
    static final int PERIOD_S = 5;
    private static final Logger LOG = LoggerFactory.getLogger(LeaseReaper.class);

    private final ZkCalls zk;
    private final ZkLayout layout;
    private final ZkWriter writer;
    private final ScheduledExecutorService executor;
    private final AtomicBoolean pending = new AtomicBoolean();
    private final Watcher onChange = event -> schedule();

    LeaseReaper(ZkCalls zk, ZkLayout layout, ZkWriter writer, ScheduledExecutorService executor) {
        this.zk = zk;
        this.layout = layout;
        this.writer = writer;
        this.executor = executor;
    }

    void start() {
        executor.scheduleWithFixedDelay(this::schedule, 0, PERIOD_S, TimeUnit.SECONDS);
    }

    void schedule() {
        if (pending.compareAndSet(false, true) && !executor.isShutdown()) {
            try {
                executor.execute(this::pass);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                pending.set(false);
            }
        }
    }

    /** One round: reap every lease that has a key index but no marker. */
    void pass() {
        pending.set(false);
        if (zk.isClosed()) {
            return;
        }
        try {
            long deadline = zk.deadline();
            Set<String> live = new HashSet<>(zk.children(layout.leasesDir(), onChange, deadline).orElse(List.of()));
            for (String name : zk.children(layout.leaseKeysDir(), null, deadline).orElse(List.of())) {
                long lease = ZkLayout.parseLeaseName(name);
                if (lease != 0 && !live.contains(name)) {
                    reap(lease);
                }
            }
        } catch (KvException e) {
            if (!zk.isClosed()) {
                LOG.warn("reaping ended leases under {} failed, will try again: {}", layout.root(), e.getMessage());
            }
        }
    }

    /** Deletes the keys of the lease if it has ended (its marker is gone); false if it is still alive. */
    boolean reap(long lease) {
        long deadline = zk.deadline();
        if (zk.exists(layout.leaseMarker(lease), null, deadline).isPresent()) {
            return false;
        }
        String index = layout.leaseKeys(lease);
        for (String name : zk.children(index, null, deadline).orElse(List.of())) {
            writer.write(new ZkWriter.Request(LogStore.Kind.REAP, ZkLayout.unescape(name), null, lease, 0));
        }
        zk.delete(index, -1, zk.deadline());
        return true;
    }
}
