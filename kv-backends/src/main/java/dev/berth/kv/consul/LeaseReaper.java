package dev.berth.kv.consul;

import dev.berth.kv.log.LogStore;
import dev.berth.kv.KvException;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.ArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes the keys of leases that ended, through the log, so watchers see every such deletion as an ordinary DELETE
 * in revision order.
 *
 * <p>Every open store runs one, on its own thread: a blocking query on {@code leases/?keys} (a marker vanishes when
 * Consul invalidates or destroys its session: Behavior=delete), and a round after each answer, including the first
 * (leases that died while no store was open) and the empty answers every 30 s. A lease is dead when it has key index
 * entries {@code lease-keys/<id>/...} and no marker ({@link #dead}). The index is read before the markers; since a
 * marker exists before any index entry of its lease and never comes back, "no marker" read after the index is final.
 * Reaping a key is a logged write conditional on the key still being bound to that lease and on the marker not
 * existing ({@code check-not-exists}), so several stores reaping at once, or a client rewriting the key meanwhile, are
 * harmless.
 *
 * <p>The guarantee: a dead lease's keys are deleted within Consul's invalidation delay (up to twice the TTL) plus one
 * round, as long as one store on this prefix is open somewhere.
 */
final class LeaseReaper {
    private static final Logger LOG = LoggerFactory.getLogger(LeaseReaper.class);

    private final KvCalls kv;
    private final ConsulLayout layout;
    private final ConsulWriter writer;
    private final Thread thread;
    private volatile boolean running = true;

    LeaseReaper(KvCalls kv, ConsulLayout layout, ConsulWriter writer) {
        this.kv = kv;
        this.layout = layout;
        this.writer = writer;
        this.thread = new Thread(this::run, "berth-consul-reaper " + layout.leasesDir());
        thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    void stop() {
        running = false;
        thread.interrupt();
    }

    /** Pure: the dead leases (index entries, no marker) and the store keys each still holds, by lease id. */
    static Map<Long, List<String>> dead(ConsulLayout layout, List<String> indexKeys, List<String> markerKeys) {
        Set<String> live = new HashSet<>(markerKeys);
        Map<Long, List<String>> out = new TreeMap<>();
        String dir = layout.leaseKeysDir();
        for (String k : indexKeys) {
            int slash = k.indexOf('/', dir.length());
            if (!k.startsWith(dir) || slash < 0 || slash == k.length() - 1) {
                continue;
            }
            long lease = ConsulLayout.parseLeaseName(k.substring(dir.length(), slash));
            if (lease != 0 && !live.contains(layout.marker(lease))) {
                out.computeIfAbsent(lease, l -> new ArrayList<>()).add(k.substring(slash + 1));
            }
        }
        return out;
    }

    private void run() {
        long index = 0;
        while (running) {
            try {
                KvCalls.Read<List<String>> markers = kv.keys(layout.leasesDir(), index);
                index = markers.index() < index ? 0 : Math.max(markers.index(), 0);
                pass();
            } catch (KvException e) {
                if (!running) {
                    return;
                }
                LOG.warn("reaping ended leases under {} failed, will try again: {}", layout.leasesDir(),
                        e.getMessage());
                index = 0;
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException ie) {
                    return;
                }
            }
        }
    }

    /** One round: reap every lease that has index entries but no marker. */
    void pass() {
        List<String> index = kv.keys(layout.leaseKeysDir(), 0).value();
        if (index.isEmpty()) {
            return;
        }
        List<String> markers = kv.keys(layout.leasesDir(), 0).value();
        dead(layout, index, markers).forEach(this::reapKeys);
    }

    /** Deletes the keys of the lease if it has ended (its marker is gone); false if it is still alive. */
    boolean reap(long lease) {
        List<String> index = kv.keys(layout.leaseKeysDir() + ConsulLayout.leaseName(lease) + "/", 0).value();
        if (kv.get(layout.marker(lease)).isPresent()) {
            return false;
        }
        dead(layout, index, List.of()).forEach(this::reapKeys);
        return true;
    }

    private void reapKeys(long lease, List<String> keys) {
        for (String key : keys) {
            writer.write(new KvOps.Request(LogStore.Kind.REAP, key, null, lease, 0));
        }
    }
}
