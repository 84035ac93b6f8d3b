package dev.berth.bench.overlayscale;

import dev.berth.kv.KvStore;
import dev.berth.kv.Lease;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * One simulated host's lease, kept as the plugin process keeps it (net-overlay's {@code HostLease}, package-private
 * there): granted at start (the plugin's watchdog asks for it within 2 s), with the host's presence key
 * {@code overlay/hosts/<host>} put under it, and replaced if the store ended it. The plugin's republish after a
 * replacement is not needed here: a lease only ends in a store outage longer than its TTL, which the benchmark does
 * not cause ({@link #replaced()} reports it if it happens).
 */
final class HostLease implements Supplier<Lease> {
    /** As the plugin's. */
    static final Duration TTL = Duration.ofSeconds(10);
    static final String PRESENCE = "overlay/hosts/";

    private final KvStore store;
    private final String hostId;
    private Lease lease;
    private int replaced;

    HostLease(KvStore store, String hostId) {
        this.store = store;
        this.hostId = hostId;
    }

    @Override
    public synchronized Lease get() {
        if (lease == null || !lease.isAlive()) {
            if (lease != null) {
                replaced++;
            }
            Lease fresh = store.grantLease(TTL);
            store.put(PRESENCE + hostId, Long.toString(System.currentTimeMillis()).getBytes(StandardCharsets.UTF_8),
                    fresh);
            lease = fresh;
        }
        return lease;
    }

    synchronized int replaced() {
        return replaced;
    }
}
