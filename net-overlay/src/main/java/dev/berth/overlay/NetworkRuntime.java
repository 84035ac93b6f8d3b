package dev.berth.overlay;

import dev.berth.kv.KvStore;
import dev.berth.kv.PrefixView;
import dev.berth.kv.WatchEvent;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One network while this host has it: its data plane, and a watch on the network's endpoint records that keeps the
 * peer table equal to them. The view's thread is the table's only owner. On start the table adopts what the kernel
 * already has (a plugin restart), so only differences are programmed.
 */
final class NetworkRuntime implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(NetworkRuntime.class);

    final NetworkKey key;
    final KernelDataplane dataplane;
    private final PeerTable table;
    private final PrefixView view;

    NetworkRuntime(NetworkKey key, KernelDataplane dataplane, KvStore cluster, String hostId, int vni) {
        this.key = key;
        this.dataplane = dataplane;
        this.table = new PeerTable(vni, hostId, dataplane);
        dataplane.programmedPeers().forEach(table::adopt);
        this.view = PrefixView.start(cluster, EndpointClaims.prefix(key), new PrefixView.Listener() {
            @Override
            public void onChange(List<WatchEvent> changes) {
                sync();
            }
        });
        sync();
    }

    private synchronized void sync() {
        if (view == null) {
            return;
        }
        try {
            int changed = table.sync(view.snapshot().values());
            if (changed > 0) {
                LOG.info("network {}: {} peer entr{} changed", key, changed, changed == 1 ? "y" : "ies");
            }
        } catch (RuntimeException e) {
            LOG.warn("network {}: programming peers failed ({}); retried at the next change", key, e.toString());
        }
    }

    @Override
    public void close() {
        view.close();
    }
}
