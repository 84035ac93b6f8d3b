package dev.berth.wireguard.driver;

import dev.berth.host.HealthCheck;
import dev.berth.host.api.network.CapabilitiesResponse;
import dev.berth.host.api.network.CreateEndpointRequest;
import dev.berth.host.api.network.CreateEndpointResponse;
import dev.berth.host.api.network.CreateNetworkRequest;
import dev.berth.host.api.network.EndpointInterface;
import dev.berth.host.api.network.EndpointRequest;
import dev.berth.host.api.network.InterfaceName;
import dev.berth.host.api.network.JoinRequest;
import dev.berth.host.api.network.JoinResponse;
import dev.berth.host.api.network.NetworkRequest;
import dev.berth.host.error.BadRequestException;
import dev.berth.host.error.ConflictException;
import dev.berth.host.error.NotFoundException;
import dev.berth.host.error.UnavailableException;
import dev.berth.host.spi.NetworkDriver;
import dev.berth.kv.KvException;
import dev.berth.kv.KvStore;
import dev.berth.kv.Lease;
import dev.berth.netlink.Netlink;
import dev.berth.overlay.EndpointClaims;
import dev.berth.overlay.EndpointRecord;
import dev.berth.overlay.NetworkKey;
import dev.berth.wireguard.KeyPair;
import dev.berth.wireguard.WireGuardControl;
import dev.berth.wireguard.WireGuardLinks;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntPredicate;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The berth/wireguard NetworkDriver. CreateNetwork makes the network's WireGuard device (the host's one key pair, a
 * listen port of its own), its routing table and rule, and publishes this host's record (public key and endpoint)
 * under the host lease; CreateEndpoint claims the endpoint's address (net-overlay's {@link EndpointClaims}, under
 * {@code wireguard/endpoints/}); Join makes the veth pair Docker moves into the container; peers follow the store.
 * Scope local, connectivity scope global, as berth/overlay (Docker 20.10 refuses a global remote driver outside swarm).
 */
public final class WireGuardDriver implements NetworkDriver, HealthCheck, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(WireGuardDriver.class);
    static final String GENERIC = "com.docker.network.generic";
    static final String MTU_OPTION = "com.docker.network.driver.mtu";
    static final int OVERHEAD_IPV4 = 60;
    static final int OVERHEAD_IPV6 = 80;

    /** What the driver needs of the host, besides the kernel and the stores. */
    public record Settings(String hostId, KeyPair keys, InetAddress underlayAddress, int underlayMtu, int portLow,
                           int portHigh, IntPredicate portFree) {
        public Settings {
            if (portLow < 1 || portHigh > 65535 || portLow > portHigh) {
                throw new IllegalArgumentException("BERTH_WG_PORTS " + portLow + "-" + portHigh
                        + " is not a range of UDP ports");
            }
        }
    }

    private final Netlink nl;
    private final WireGuardLinks links;
    private final WireGuardControl wg;
    private final KvStore cluster;
    private final WgLocalState local;
    private final EndpointClaims claims;
    private final HostRecords hostRecords;
    private final Settings s;
    private final Supplier<Lease> lease;
    private final Map<String, WgNetworkRuntime> networks = new ConcurrentHashMap<>();

    public WireGuardDriver(Netlink nl, WireGuardLinks links, WireGuardControl wg, KvStore cluster,
                           KvStore localStore, Settings settings, Supplier<Lease> lease) {
        this.nl = nl;
        this.links = links;
        this.wg = wg;
        this.cluster = cluster;
        this.local = new WgLocalState(localStore);
        this.claims = new EndpointClaims(cluster, HostRecords.ENDPOINTS);
        this.hostRecords = new HostRecords(cluster);
        this.s = settings;
        this.lease = lease;
    }

    /**
     * After a restart: each network's device again (wireguard-go stopped with the plugin's container) with the same
     * key and port, its peers from the store, and this host's records published again. Idempotent: the caller
     * retries the whole of it while the store is unreachable.
     */
    public void restore() {
        for (WgLocalState.NetworkState n : local.networks()) {
            if (networks.containsKey(n.networkId())) {
                continue;
            }
            try {
                WgDataplane dp = dataplane(n);
                dp.ensureNetwork();
                NetworkKey key = new NetworkKey(n.key());
                publishHost(key, n);
                networks.put(n.networkId(), new WgNetworkRuntime(key, n, dp, cluster, claims, s.hostId()));
            } catch (KvException e) {
                throw e;
            } catch (RuntimeException e) {
                LOG.error("cannot restore network {}: {}", n.networkId(), e.toString());
            }
        }
        republishEndpoints();
    }

    /** Publishes every host and endpoint record again (after the lease they were under ended). */
    public void republish() {
        for (WgNetworkRuntime rt : networks.values()) {
            try {
                publishHost(rt.key, rt.state);
            } catch (RuntimeException e) {
                LOG.error("republishing network {} failed: {}", rt.key, e.getMessage());
            }
        }
        republishEndpoints();
    }

    private void republishEndpoints() {
        for (WgLocalState.EndpointState e : local.endpoints()) {
            local.network(e.networkId()).ifPresent(n -> {
                try {
                    claim(new NetworkKey(n.key()), e);
                } catch (RuntimeException ex) {
                    LOG.error("republishing endpoint {} failed: {}", e.endpointId(), ex.getMessage());
                }
            });
        }
    }

    @Override
    public CapabilitiesResponse capabilities() {
        return new CapabilitiesResponse("local", "global", false);
    }

    @Override
    public synchronized void createNetwork(CreateNetworkRequest request) {
        Map<String, String> generic = generic(request.options());
        String pool = request.ipv4Data().isEmpty() ? "" : request.ipv4Data().get(0).pool();
        if (!request.ipv6Data().isEmpty()) {
            throw new BadRequestException("berth/wireguard networks are IPv4 only so far: drop --ipv6");
        }
        NetworkKey key;
        int mtu;
        try {
            key = NetworkKey.of(generic, pool);
            mtu = generic.containsKey(MTU_OPTION) ? Integer.parseInt(generic.get(MTU_OPTION).trim())
                    : s.underlayMtu() - (s.underlayAddress() instanceof Inet4Address ? OVERHEAD_IPV4 : OVERHEAD_IPV6);
        } catch (NumberFormatException e) {
            throw new BadRequestException(MTU_OPTION + " must be a number, not '" + generic.get(MTU_OPTION) + "'");
        } catch (IllegalArgumentException e) {
            throw new BadRequestException(e.getMessage());
        }
        if (mtu < 576 || mtu > 65_000) {
            throw new BadRequestException(MTU_OPTION + " " + mtu + " is out of range (576..65000)");
        }
        for (WgLocalState.NetworkState n : local.networks()) {
            if (n.key().equals(key.value()) && !n.networkId().equals(request.networkId())) {
                throw new ConflictException("network " + key + " exists on this host already (network "
                        + n.networkId() + "): one berth/wireguard network per name or subnet per host");
            }
        }
        WgLocalState.NetworkState n = new WgLocalState.NetworkState(request.networkId(), key.value(),
                WgNames.device(s.hostId(), key), WgNames.table(key), freePort(), mtu);
        WgDataplane dp = dataplane(n);
        try {
            dp.ensureNetwork();
            store(() -> {
                publishHost(key, n);
                return null;
            });
            local.put(n);
            networks.put(request.networkId(), new WgNetworkRuntime(key, n, dp, cluster, claims, s.hostId()));
        } catch (RuntimeException e) {
            String rollback = "rolled back";
            try {
                dp.deleteNetwork();
                hostRecords.withdraw(key, s.hostId());
                local.removeNetwork(request.networkId());
            } catch (RuntimeException r) {
                rollback = "rolling back failed too (" + r.getMessage() + ")";
                LOG.error("rolling back network {} failed: {}", request.networkId(), r.toString());
            }
            if (e instanceof UnavailableException u) {
                throw u;
            }
            throw new UnavailableException("creating network " + key + " failed: " + e.getMessage() + "; "
                    + rollback, e);
        }
    }

    @Override
    public synchronized void deleteNetwork(NetworkRequest request) {
        WgNetworkRuntime rt = networks.remove(request.networkId());
        Optional<WgLocalState.NetworkState> n = local.network(request.networkId());
        if (rt == null && n.isEmpty()) {
            throw new NotFoundException("network " + request.networkId() + " is not a berth/wireguard network here");
        }
        if (rt != null) {
            rt.close();
        }
        n.ifPresent(state -> {
            dataplane(state).deleteNetwork();
            store(() -> {
                hostRecords.withdraw(new NetworkKey(state.key()), s.hostId());
                return null;
            });
            local.removeNetwork(state.networkId());
        });
    }

    @Override
    public CreateEndpointResponse createEndpoint(CreateEndpointRequest request) {
        WgNetworkRuntime rt = runtime(request.networkId());
        EndpointInterface in = request.endpointInterface();
        if (in == null || in.address() == null || in.address().isEmpty()) {
            throw new BadRequestException("a berth/wireguard endpoint needs an IPv4 address (Interface.Address)");
        }
        if (in.addressIpv6() != null && !in.addressIpv6().isEmpty()) {
            throw new BadRequestException("berth/wireguard endpoints are IPv4 only so far");
        }
        String ipv4 = in.address().contains("/") ? in.address().substring(0, in.address().indexOf('/'))
                : in.address();
        if (!ipv4.matches("\\d{1,3}(\\.\\d{1,3}){3}")) {
            throw new BadRequestException("Interface.Address " + in.address() + " is not an IPv4 address");
        }
        WgLocalState.EndpointState e = new WgLocalState.EndpointState(request.endpointId(), request.networkId(), ipv4);
        claim(rt.key, e);
        local.put(e);
        return new CreateEndpointResponse(null);
    }

    @Override
    public void deleteEndpoint(EndpointRequest request) {
        Optional<WgLocalState.EndpointState> e = local.endpoint(request.endpointId());
        if (e.isEmpty()) {
            return; // Docker cleans up stale endpoints after a restart: nothing to do is fine
        }
        local.network(e.get().networkId()).ifPresent(n -> {
            dataplane(n).deleteEndpoint(e.get().endpointId(), e.get().ipv4());
            store(() -> {
                claims.release(new NetworkKey(n.key()), e.get().ipv4(), s.hostId(), request.endpointId());
                return null;
            });
        });
        local.removeEndpoint(request.endpointId());
    }

    @Override
    public JoinResponse join(JoinRequest request) {
        WgNetworkRuntime rt = runtime(request.networkId());
        WgLocalState.EndpointState e = local.endpoint(request.endpointId()).orElseThrow(
                () -> new NotFoundException("endpoint " + request.endpointId() + " is unknown"));
        String container = rt.dataplane.createEndpoint(e.endpointId(), e.ipv4());
        return new JoinResponse(new InterfaceName(container, "eth"), "", "", List.of(), false);
    }

    @Override
    public void leave(EndpointRequest request) {
        WgNetworkRuntime rt = networks.get(request.networkId());
        Optional<WgLocalState.EndpointState> e = local.endpoint(request.endpointId());
        if (rt != null) {
            rt.dataplane.deleteEndpoint(request.endpointId(), e.map(WgLocalState.EndpointState::ipv4).orElse(null));
        }
    }

    @Override
    public String name() {
        return "store";
    }

    @Override
    public Optional<String> problem() {
        return cluster.problem();
    }

    @Override
    public void close() {
        networks.values().forEach(WgNetworkRuntime::close);
    }

    /** Resyncs every network's peers now (tests; the runtimes do it on every change and every 30 s). */
    void syncAll() {
        networks.values().forEach(WgNetworkRuntime::sync);
    }

    private void publishHost(NetworkKey key, WgLocalState.NetworkState n) {
        String address = s.underlayAddress() instanceof Inet4Address ? s.underlayAddress().getHostAddress()
                : "[" + s.underlayAddress().getHostAddress() + "]";
        hostRecords.publish(key, s.hostId(), new HostRecords.HostRecord(s.keys().publicKey().base64(),
                address + ":" + n.port()), lease.get());
    }

    private void claim(NetworkKey key, WgLocalState.EndpointState e) {
        try {
            store(() -> {
                claims.claim(key, new EndpointRecord(s.hostId(), e.endpointId(), null, null, e.ipv4(), null),
                        lease.get());
                return null;
            });
        } catch (EndpointClaims.AddressTaken taken) {
            throw new ConflictException(taken.getMessage());
        }
    }

    /** The first port of the range no network of this host uses and the host can bind. */
    private int freePort() {
        Set<Integer> used = new HashSet<>();
        local.networks().forEach(n -> used.add(n.port()));
        for (int p = s.portLow(); p <= s.portHigh(); p++) {
            if (!used.contains(p) && s.portFree().test(p)) {
                return p;
            }
        }
        throw new UnavailableException("no free UDP port left in BERTH_WG_PORTS " + s.portLow() + "-"
                + s.portHigh());
    }

    private WgNetworkRuntime runtime(String networkId) {
        WgNetworkRuntime rt = networks.get(networkId);
        if (rt == null) {
            throw new NotFoundException("network " + networkId + " is not a berth/wireguard network here");
        }
        return rt;
    }

    private WgDataplane dataplane(WgLocalState.NetworkState n) {
        return new KernelWgDataplane(nl, links, wg, s.keys().privateKey(), n.device(), n.table(), n.port(),
                n.mtu());
    }

    static Map<String, String> generic(Map<String, Object> options) {
        Object g = options.get(GENERIC);
        Map<String, String> out = new HashMap<>();
        if (g instanceof Map<?, ?> m) {
            m.forEach((k, v) -> out.put(String.valueOf(k), String.valueOf(v)));
        }
        return out;
    }

    private static <T> T store(Supplier<T> call) {
        try {
            return call.get();
        } catch (KvException e) {
            throw new UnavailableException("the store is unreachable: " + e.getMessage(), e);
        }
    }
}
