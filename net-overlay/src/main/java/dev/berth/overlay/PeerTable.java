package dev.berth.overlay;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.kv.KeyValue;
import dev.berth.kv.WatchEvent;
import java.io.IOException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What this host has programmed for one network's remote endpoints, kept equal to the store: {@link #sync} takes
 * every endpoint record of the network and {@link #apply} the watch's changes; both remove peers that are gone or
 * moved and add new or changed ones, touching nothing that is already right (a plugin restart that finds the kernel already
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
    /** Store key of each remote record to the MAC it programmed. */
    private final Map<String, String> keys = new HashMap<>();

    public PeerTable(int vni, String hostId, Dataplane dataplane) {
        this.vni = vni;
        this.hostId = hostId;
        this.dataplane = dataplane;
    }

    /** Tells the table what the kernel already has (after a restart), so that sync does not redo it. */
    public void adopt(Peer peer) {
        programmed.put(peer.mac(), peer);
    }

    /** Forgets what it believed programmed and takes the kernel's entries instead (the periodic repair). */
    public void readopt(List<Peer> kernel) {
        programmed.clear();
        kernel.forEach(this::adopt);
    }

    /**
     * Makes the programmed peers equal to the remote records (all of the network's); returns how many entries changed.
     * For start, after a restart, and as a periodic repair: costs one decode per record.
     */
    public int sync(Iterable<KeyValue> records) {
        Map<String, Peer> wanted = new HashMap<>();
        Map<String, String> macs = new HashMap<>();
        for (KeyValue kv : records) {
            Peer p = peerOf(kv);
            if (p != null) {
                wanted.put(p.mac(), p);
                macs.put(kv.key(), p.mac());
            }
        }
        int changes = 0;
        Set<String> gone = new HashSet<>(programmed.keySet());
        gone.removeAll(wanted.keySet());
        for (String mac : gone) {
            dataplane.removePeer(programmed.remove(mac));
            changes++;
        }
        for (Peer p : wanted.values()) {
            changes += program(p);
        }
        keys.clear();
        keys.putAll(macs);
        return changes;
    }

    /**
     * Applies watch events (puts and deletes of endpoint records) one by one: the cost of a burst of endpoints is
     * linear in its size, not in the size of the network times the burst. Returns how many entries changed.
     */
    public int apply(List<WatchEvent> events) {
        int changes = 0;
        for (WatchEvent e : events) {
            String oldMac = keys.remove(e.key());
            Peer p = e.type() == WatchEvent.Type.PUT ? peerOf(e.entry()) : null;
            if (oldMac != null && (p == null || !oldMac.equals(p.mac()))) {
                Peer old = programmed.remove(oldMac);
                if (old != null) {
                    dataplane.removePeer(old);
                    changes++;
                }
            }
            if (p != null) {
                changes += program(p);
                keys.put(e.key(), p.mac());
            }
        }
        return changes;
    }

    private int program(Peer p) {
        Peer had = programmed.get(p.mac());
        if (p.equals(had)) {
            return 0;
        }
        if (had != null) {
            dataplane.removePeer(had);
        }
        dataplane.addPeer(p);
        programmed.put(p.mac(), p);
        return 1;
    }

    /** The record as a peer, or null when it is this host's own endpoint or unreadable. */
    private Peer peerOf(KeyValue kv) {
        EndpointRecord r;
        try {
            r = JSON.readValue(kv.value(), EndpointRecord.class);
        } catch (IOException e) {
            LOG.warn("skipping an unreadable endpoint record at {}: {}", kv.key(), e.getMessage());
            return null;
        }
        if (r.host() == null || r.host().equals(hostId) || r.mac() == null || r.vtep() == null) {
            return null;
        }
        return new Peer(vni, r.mac().toLowerCase(java.util.Locale.ROOT), canonical(r.ipv4()), canonical(r.ipv6()),
                canonical(r.vtep()));
    }

    /** An address as the kernel's dump gives it back ({@code fd00:0:0:0:0:0:0:2}, not {@code fd00::2}). */
    private static String canonical(String address) {
        if (address == null || address.isEmpty()) {
            return null;
        }
        if (!address.matches("[0-9A-Fa-f:.]+")) {
            return address; // never a name lookup
        }
        try {
            return java.net.InetAddress.getByName(address).getHostAddress();
        } catch (java.net.UnknownHostException e) {
            return address;
        }
    }

    public Map<String, Peer> programmed() {
        return Map.copyOf(programmed);
    }
}
