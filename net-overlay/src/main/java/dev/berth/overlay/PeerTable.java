package dev.berth.overlay;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.kv.KeyValue;
import java.io.IOException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What this host has programmed for one network's remote endpoints, and the one method that makes it match the
 * store: given every endpoint record of the network (from a watch), it removes peers that are gone or moved and adds
 * new or changed ones, touching nothing that is already right (a plugin restart that finds the kernel already
 * programmed changes nothing, so traffic is not disturbed). Own-host endpoints are never peers. Not thread-safe: one
 * owner thread per network.
 */
public final class PeerTable {
    private static final Logger LOG = LoggerFactory.getLogger(PeerTable.class);
    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    private final int vni;
    private final String hostId;
    private final Dataplane dataplane;
    private final Map<String, Peer> programmed = new HashMap<>();

    public PeerTable(int vni, String hostId, Dataplane dataplane) {
        this.vni = vni;
        this.hostId = hostId;
        this.dataplane = dataplane;
    }

    /** Tells the table what the kernel already has (after a restart), so that sync does not redo it. */
    public void adopt(Peer peer) {
        programmed.put(peer.mac(), peer);
    }

    /** Makes the programmed peers equal to the remote records; returns how many entries changed. */
    public int sync(Iterable<KeyValue> records) {
        Map<String, Peer> wanted = new HashMap<>();
        for (KeyValue kv : records) {
            EndpointRecord r;
            try {
                r = JSON.readValue(kv.value(), EndpointRecord.class);
            } catch (IOException e) {
                LOG.warn("skipping an unreadable endpoint record at {}: {}", kv.key(), e.getMessage());
                continue;
            }
            if (r.host() == null || r.host().equals(hostId) || r.mac() == null || r.vtep() == null) {
                continue;
            }
            wanted.put(r.mac(), new Peer(vni, r.mac(), r.ipv4(), r.ipv6(), r.vtep()));
        }
        int changes = 0;
        Set<String> gone = new HashSet<>(programmed.keySet());
        gone.removeAll(wanted.keySet());
        for (String mac : gone) {
            dataplane.removePeer(programmed.remove(mac));
            changes++;
        }
        for (Peer p : wanted.values()) {
            Peer had = programmed.get(p.mac());
            if (!p.equals(had)) {
                if (had != null) {
                    dataplane.removePeer(had);
                }
                dataplane.addPeer(p);
                programmed.put(p.mac(), p);
                changes++;
            }
        }
        return changes;
    }

    public Map<String, Peer> programmed() {
        return Map.copyOf(programmed);
    }
}
