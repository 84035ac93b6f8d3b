package dev.berth.overlay;

import dev.berth.kv.KvStore;
import dev.berth.kv.Lease;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This host's lease in the cluster store, and its presence key {@code overlay/hosts/<host>} under it: endpoint
 * records live under the lease, so a dead host's endpoints leave every peer when it expires, and the presence key
 * tells the {@link VniSweeper} which network holders are alive. A lease the store ended (an outage longer than its
 * TTL) is replaced, the presence key written again and {@code renewed} run (the driver republishes its endpoints).
 */
public final class HostLease {
    private static final Logger LOG = LoggerFactory.getLogger(HostLease.class);
    static final String PRESENCE = "overlay/hosts/";
    static final Duration TTL = Duration.ofSeconds(10);

    private final KvStore store;
    private final String hostId;
    private Lease lease;
    private Runnable renewed = () -> { };
    private int replaced;

    public HostLease(KvStore store, String hostId) {
        this.store = store;
        this.hostId = hostId;
    }

    public void onRenewed(Runnable r) {
        this.renewed = r;
    }

    /** The live lease, granted (and the presence key written) when there is none. */
    public synchronized Lease current() {
        if (lease == null || !lease.isAlive()) {
            boolean again = lease != null;
            if (again) {
                replaced++;
            }
            Lease fresh = store.grantLease(TTL);
            store.put(PRESENCE + hostId, Long.toString(System.currentTimeMillis()).getBytes(StandardCharsets.UTF_8),
                    fresh);
            lease = fresh;
            if (again) {
                LOG.info("host lease replaced; republishing this host's endpoints");
                Thread t = new Thread(renewed, "berth-overlay-republish");
                t.setDaemon(true);
                t.start();
            }
        }
        return lease;
    }

    /** How many times a lease the store ended was replaced. */
    public synchronized int replaced() {
        return replaced;
    }

    /** Whether {@code host} has a live presence key. */
    static boolean present(KvStore store, String host) {
        Optional<?> kv = store.get(PRESENCE + host);
        return kv.isPresent();
    }
}
