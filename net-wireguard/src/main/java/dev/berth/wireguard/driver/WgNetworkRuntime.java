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
    /** Key rotation: the other hosts' next keys this host has applied as peers, and who to tell when it changes. */
    private volatile java.util.Set<String> announced = java.util.Set.of();
    private volatile Runnable onAnnounced = () -> { };

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
            java.util.Collection<KeyValue> hostRecords = hosts.snapshot().values();
            dataplane.syncPeers(wanted(hostRecords, endpoints.snapshot().values(), hostId));
            java.util.Set<String> now = nextKeys(hostRecords, hostId);
            if (!now.equals(announced)) {
                // the ack of step "announce": published in this host's record, off this thread (the store's
                // watch thread may be the caller)
                announced = now;
                Runnable r = onAnnounced;
                REPAIR.execute(() -> {
                    try {
                        r.run();
                    } catch (RuntimeException e) {
                        LOG.warn("network {}: publishing the announced keys failed ({}); retried", key, e.toString());
                        announced = java.util.Set.of("?retry");
                    }
                });
            }
        } catch (RuntimeException e) {
            LOG.warn("network {}: programming peers failed ({}); retried at the next change", key, e.toString());
        }
    }

    /** Called (on another thread) when the set of announced next keys changed: republish this host's record. */
    void onAnnounced(Runnable r) {
        this.onAnnounced = r;
    }

    /** The other hosts' next keys this host has added as peers (the value of its record's {@code announced}). */
    java.util.List<String> announced() {
        return announced.stream().filter(k -> !k.startsWith("?")).sorted().toList();
    }

    /**
     * Key rotation: the other live hosts of this network (a host record under its lease) that have not (yet)
     * {@code announced} {@code nextKey}, or that still list it when {@code announcedWanted} is false (not committed).
     */
    java.util.Set<String> hostsWhere(String nextKey, boolean announcedWanted) {
        java.util.Set<String> out = new java.util.TreeSet<>();
        for (KeyValue kv : hosts.snapshot().values()) {
            String host = kv.key().substring(kv.key().lastIndexOf('/') + 1);
            if (host.equals(hostId)) {
                continue;
            }
            try {
                if (HostRecords.decode(kv.value()).announced().contains(nextKey) != announcedWanted) {
                    out.add(host);
                }
            } catch (RuntimeException e) {
                LOG.warn("skipping an unreadable host record at {}: {}", kv.key(), e.getMessage());
            }
        }
        return out;
    }

    /** The next keys ({@code nextPublicKey}) of the other hosts' records. Pure. */
    static java.util.Set<String> nextKeys(Iterable<KeyValue> hostRecords, String self) {
        java.util.Set<String> out = new java.util.HashSet<>();
        for (KeyValue kv : hostRecords) {
            String host = kv.key().substring(kv.key().lastIndexOf('/') + 1);
            try {
                HostRecords.HostRecord r = HostRecords.decode(kv.value());
                if (!host.equals(self) && r.nextPublicKey() != null && !r.nextPublicKey().equals(r.publicKey())) {
                    out.add(PublicKey.fromBase64(r.nextPublicKey()).base64());
                }
            } catch (RuntimeException e) {
                // unreadable: wanted() logs it
            }
        }
        return out;
    }

    /**
     * Remote hosts with a host record, each with the addresses its endpoint records hold; a host that announces a
     * {@code nextPublicKey} also gets that key as a second peer, same endpoint, no allowed IPs (rotation step
     * "announce"; "commit" is the record's {@code publicKey} becoming that key). Pure.
     */
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
                InetSocketAddress at = endpoint(r.endpoint());
                out.put(PublicKey.fromBase64(r.publicKey()),
                        new WgDataplane.RemoteHost(at, ips.getOrDefault(host, List.of())));
                if (r.nextPublicKey() != null && !r.nextPublicKey().equals(r.publicKey())) {
                    out.putIfAbsent(PublicKey.fromBase64(r.nextPublicKey()), new WgDataplane.RemoteHost(at, List.of(), true));
                }
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
