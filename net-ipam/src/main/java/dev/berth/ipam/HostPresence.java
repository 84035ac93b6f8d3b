package dev.berth.ipam;

import dev.berth.kv.KvException;
import dev.berth.kv.KvStore;
import dev.berth.kv.Lease;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This host's sign of life in the cluster store: {@code ipam/hosts/<id>} under a lease. When the host dies (or is cut
 * off longer than the lease) the key goes, and after a grace period the other hosts reclaim what it held. Refreshed by
 * the reconciler; a lease lost during an outage is replaced at the next refresh.
 */
final class HostPresence implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HostPresence.class);

    private final KvStore store;
    private final String hostId;
    private final Duration ttl;
    private final Clock clock;
    private Lease lease;

    HostPresence(KvStore store, String hostId, Duration ttl, Clock clock) {
        this.store = store;
        this.hostId = hostId;
        this.ttl = ttl;
        this.clock = clock;
    }

    /** Makes sure the key is there under a live lease; store errors are left to the caller's next round. */
    synchronized void refresh() {
        if (lease == null || !lease.isAlive()) {
            lease = store.grantLease(ttl);
            String value = "{\"since\":" + clock.millis() + "}";
            store.put(StoreLayout.host(hostId), value.getBytes(StandardCharsets.UTF_8), lease);
            LOG.info("host {} is present in the cluster store (lease {}, ttl {} s)", hostId, lease.id(),
                    ttl.toSeconds());
        }
    }

    /** The IDs of the hosts present now. */
    Set<String> live() {
        Set<String> ids = new TreeSet<>();
        store.list(StoreLayout.HOSTS).entries().forEach(kv -> ids.add(StoreLayout.last(kv.key())));
        return ids;
    }

    @Override
    public synchronized void close() {
        if (lease != null) {
            try {
                lease.close();
            } catch (KvException e) {
                LOG.info("could not revoke the presence lease ({}); it ends with its TTL", e.getMessage());
            }
            lease = null;
        }
    }
}
