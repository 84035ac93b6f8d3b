package dev.berth.overlay;

import dev.berth.kv.KvStore;
import dev.berth.kv.PrefixView;
import dev.berth.kv.WatchEvent;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One network while this host has it: its data plane, and a watch on the network's endpoint records that keeps the
 * peer table equal to them: each change is applied as it comes, and the whole table is compared with the view at
 * start, after a failure and once a minute. On start the table adopts what the kernel already has (a plugin
 * restart), so only differences are programmed.
 */
final class NetworkRuntime implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(NetworkRuntime.class);

    final NetworkKey key;
    final KernelDataplane dataplane;
    private final PeerTable table;
    private final PrefixView view;
    private final ScheduledFuture<?> repair;
    private boolean dirty;
    /** One thread for every network's periodic repair (which also catches entries someone deleted by hand). */
    private static final ScheduledExecutorService REPAIR = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "berth-overlay-repair");
        t.setDaemon(true);
        return t;
    });
    private static final Duration REPAIR_EVERY = Duration.ofSeconds(60);

    NetworkRuntime(NetworkKey key, KernelDataplane dataplane, KvStore cluster, String hostId, int vni) {
        this.key = key;
        this.dataplane = dataplane;
        this.table = new PeerTable(vni, hostId, dataplane);
        dataplane.programmedPeers().forEach(table::adopt);
        this.view = PrefixView.start(cluster, EndpointClaims.prefix(key), new PrefixView.Listener() {
            @Override
            public void onChange(List<WatchEvent> changes) {
                changed(changes);
            }
        });
        resync();
        this.repair = REPAIR.scheduleWithFixedDelay(this::repair, REPAIR_EVERY.toSeconds(), REPAIR_EVERY.toSeconds(),
                TimeUnit.SECONDS);
    }

    private synchronized void changed(List<WatchEvent> changes) {
        if (view == null) {
            return; // the first snapshot is applied by the constructor's resync
        }
        if (dirty) {
            resync();
            return;
        }
        try {
            report(table.apply(changes));
        } catch (RuntimeException e) {
            dirty = true;
            LOG.warn("network {}: programming peers failed ({}); a full resync follows", key, e.toString());
        }
    }

    /** The whole table against the view's snapshot: at start, after a failure, and periodically as repair. */
    synchronized void resync() {
        if (view == null) {
            return;
        }
        try {
            report(table.sync(view.snapshot().values()));
            dirty = false;
        } catch (RuntimeException e) {
            dirty = true;
            LOG.warn("network {}: programming peers failed ({}); retried at the next change", key, e.toString());
        }
    }

    /**
     * Re-reads what the kernel has (entries deleted or added by hand are noticed) and resyncs. The dump is taken
     * outside the lock, so changes are not held up by it; one applied meanwhile may look missing in the dump and is
     * then programmed once more, which is harmless (replace).
     */
    private void repair() {
        List<Peer> kernel;
        try {
            kernel = dataplane.programmedPeers();
        } catch (RuntimeException e) {
            LOG.warn("network {}: reading the kernel's entries failed ({})", key, e.toString());
            return;
        }
        synchronized (this) {
            table.readopt(kernel);
            resync();
        }
    }

    private void report(int changed) {
        if (changed > 0) {
            LOG.info("network {}: {} peer entr{} changed", key, changed, changed == 1 ? "y" : "ies");
        }
    }

    @Override
    public void close() {
        repair.cancel(false);
        view.close();
    }
}
