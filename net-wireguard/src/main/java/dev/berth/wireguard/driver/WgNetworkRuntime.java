package dev.berth.wireguard.driver;

import dev.berth.kv.KeyValue;
import dev.berth.kv.KvStore;
import dev.berth.kv.PrefixView;
import dev.berth.kv.WatchEvent;
import dev.berth.overlay.EndpointClaims;
import dev.berth.overlay.EndpointRecord;
import dev.berth.overlay.NetworkKey;
import dev.berth.wireguard.PublicKey;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One network while this host has it: its data plane, and watches on the network's host records and endpoint records.
 * Any change recomputes the wanted peers (one per remote host with a record: its key, its endpoint, its endpoints'
 * addresses as allowed IPs) and hands them to {@link WgDataplane#syncPeers}, which touches only what differs. A
 * failed sync is retried at the next change and by the periodic repair (every 30 s), which also catches entries
 * removed by hand.
 */
final class WgNetworkRuntime implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(WgNetworkRuntime.class);
    private static final ScheduledExecutorService REPAIR = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "berth-wireguard-repair");
        t.setDaemon(true);
        return t;
    });

    final NetworkKey key;
    final WgDataplane dataplane;
    final WgLocalState.NetworkState state;
    private final String hostId;
    private final PrefixView hosts;
    private final PrefixView endpoints;
    private final ScheduledFuture<?> repair;
    private volatile boolean started;

    WgNetworkRuntime(NetworkKey key, WgLocalState.NetworkState state, WgDataplane dataplane, KvStore cluster,
                     EndpointClaims claims, String hostId) {
        this.key = key;
        this.state = state;
        this.dataplane = dataplane;
        this.hostId = hostId;
        PrefixView.Listener listener = new PrefixView.Listener() {
            @Override
            public void onChange(List<WatchEvent> changes) {
                sync();
            }
        };
        this.hosts = PrefixView.start(cluster, HostRecords.prefix(key), listener);
        PrefixView e;
        try {
            e = PrefixView.start(cluster, claims.prefixOf(key), listener);
        } catch (RuntimeException ex) {
            hosts.close();
            throw ex;
        }
        this.endpoints = e;
        started = true;
        sync();
        this.repair = REPAIR.scheduleWithFixedDelay(this::sync, 30, 30, TimeUnit.SECONDS);
    }

    /** The wanted peers from both views, applied. */
    synchronized void sync() {
        if (!started) {
            return;
        }
        try {
            dataplane.syncPeers(wanted(hosts.snapshot().values(), endpoints.snapshot().values(), hostId));
        } catch (RuntimeException e) {
            LOG.warn("network {}: programming peers failed ({}); retried at the next change", key, e.toString());
        }
    }

    /** Remote hosts with a host record, each with the addresses its endpoint records hold. Pure. */
    static Map<PublicKey, WgDataplane.RemoteHost> wanted(Iterable<KeyValue> hostRecords,
                                                         Iterable<KeyValue> endpointRecords, String self) {
        Map<String, List<String>> ips = new HashMap<>();
        for (KeyValue kv : endpointRecords) {
            try {
                EndpointRecord r = EndpointClaims.decode(kv.value());
                if (r.host() != null && !r.host().equals(self) && r.ipv4() != null) {
                    ips.computeIfAbsent(r.host(), h -> new ArrayList<>()).add(r.ipv4());
                }
            } catch (RuntimeException e) {
                LOG.warn("skipping an unreadable endpoint record at {}: {}", kv.key(), e.getMessage());
            }
        }
        Map<PublicKey, WgDataplane.RemoteHost> out = new HashMap<>();
        for (KeyValue kv : hostRecords) {
            String host = kv.key().substring(kv.key().lastIndexOf('/') + 1);
            if (host.equals(self)) {
                continue;
            }
            try {
                HostRecords.HostRecord r = HostRecords.decode(kv.value());
                out.put(PublicKey.fromBase64(r.publicKey()),
                        new WgDataplane.RemoteHost(endpoint(r.endpoint()), ips.getOrDefault(host, List.of())));
            } catch (RuntimeException e) {
                LOG.warn("skipping an unreadable host record at {}: {}", kv.key(), e.getMessage());
            }
        }
        return out;
    }

    /** "ip:port" or "[v6]:port", never a name lookup. */
    static InetSocketAddress endpoint(String s) {
        int colon = s.lastIndexOf(':');
        String host = s.substring(0, colon).replace("[", "").replace("]", "");
        if (!host.matches("[0-9A-Fa-f:.]+")) {
            throw new IllegalArgumentException("endpoint " + s + " is not an address");
        }
        try {
            return new InetSocketAddress(InetAddress.getByName(host), Integer.parseInt(s.substring(colon + 1)));
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("endpoint " + s + " is not an address", e);
        }
    }

    @Override
    public void close() {
        started = false;
        if (repair != null) {
            repair.cancel(false);
        }
        hosts.close();
        endpoints.close();
    }
}
