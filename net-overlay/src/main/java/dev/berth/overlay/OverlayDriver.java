package dev.berth.overlay;

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
import dev.berth.netlink.MacAddress;
import dev.berth.netlink.Netlink;
import java.net.InetAddress;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The berth/overlay NetworkDriver: CreateNetwork joins the network's cluster-wide identity (its VNI) and builds the
 * bridge and VXLAN device; CreateEndpoint claims the endpoint's address in the store (refusing one another host
 * holds) and publishes it under this host's lease; Join makes the veth pair Docker moves into the container;
 * peers come from the store by watch. Scope is local with connectivity scope global: Docker 20.10 refuses a
 * global-scope remote driver outside swarm, and the cluster-wide identity is the driver's own business anyway.
 */
public final class OverlayDriver implements NetworkDriver, HealthCheck, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(OverlayDriver.class);
    static final String GENERIC = "com.docker.network.generic";
    static final String MTU_OPTION = "com.docker.network.driver.mtu";

    private final Netlink nl;
    private final KvStore cluster;
    private final LocalState local;
    private final VniRegistry vnis;
    private final EndpointClaims claims;
    private final String hostId;
    private final InetAddress vtep;
    private final int underlayIndex;
    private final int underlayMtu;
    private final Supplier<Lease> lease;
    private final Clock clock;
    private final Map<String, NetworkRuntime> networks = new ConcurrentHashMap<>();

    public OverlayDriver(Netlink nl, KvStore cluster, KvStore localStore, String hostId, InetAddress vtep,
                         int underlayIndex, int underlayMtu, Supplier<Lease> lease, Clock clock) {
        this.nl = nl;
        this.cluster = cluster;
        this.local = new LocalState(localStore);
        this.vnis = new VniRegistry(cluster);
        this.claims = new EndpointClaims(cluster);
        this.hostId = hostId;
        this.vtep = vtep;
        this.underlayIndex = underlayIndex;
        this.underlayMtu = underlayMtu;
        this.lease = lease;
        this.clock = clock;
    }

    /**
     * After a restart: the networks and endpoints this host had, back in the kernel and the store. The kernel side
     * comes first and needs no store; then this host's endpoints are published again and its hold on each network
     * renewed. Idempotent, so the caller retries the whole of it while the store is unreachable.
     */
    public void restore() {
        for (LocalState.NetworkState n : local.networks()) {
            if (networks.containsKey(n.networkId())) {
                continue;
            }
            try {
                KernelDataplane dp = dataplane(n.vni(), n.mtu());
                dp.ensureNetwork();
                networks.put(n.networkId(), new NetworkRuntime(new NetworkKey(n.key()), dp, cluster, hostId,
                        n.vni()));
            } catch (RuntimeException e) {
                LOG.error("cannot restore network {}: {}", n.networkId(), e.toString());
            }
        }
        for (LocalState.EndpointState e : local.endpoints()) {
            local.network(e.networkId()).ifPresent(n -> publish(new NetworkKey(n.key()), e));
        }
        for (LocalState.NetworkState n : local.networks()) {
            int vni = vnis.join(new NetworkKey(n.key()), hostId, clock.millis(), n.vni());
            if (vni != n.vni()) {
                renumber(n, vni);
            }
        }
    }

    /**
     * The network's VNI changed while this host was away (every other holder deleted it and it was created again, or
     * this host was swept as dead): a new device under the new VNI. The endpoints' macvlans hang off the old device
     * and go with it: their containers must be reconnected (`docker network disconnect/connect`), which is logged.
     */
    private synchronized void renumber(LocalState.NetworkState n, int vni) {
        LOG.warn("network {} has VNI {} in the store, not {} as here: moving its endpoints to new devices",
                n.key(), vni, n.vni());
        NetworkRuntime old = networks.remove(n.networkId());
        if (old != null) {
            old.close();
            old.dataplane.deleteNetwork();
        }
        KernelDataplane dp = dataplane(vni, n.mtu());
        dp.ensureNetwork();
        for (LocalState.EndpointState e : local.endpoints()) {
            if (e.networkId().equals(n.networkId())) {
                LOG.error("endpoint {} of network {} lost its interface with the old VNI: reconnect its container",
                        e.endpointId(), n.key());
            }
        }
        local.put(new LocalState.NetworkState(n.networkId(), n.key(), vni, n.mtu()));
        networks.put(n.networkId(), new NetworkRuntime(new NetworkKey(n.key()), dp, cluster, hostId, vni));
    }

    /** Publishes every local endpoint again (after the lease they were under ended). */
    public void republish() {
        for (LocalState.EndpointState e : local.endpoints()) {
            local.network(e.networkId()).ifPresent(n -> {
                try {
                    publish(new NetworkKey(n.key()), e);
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
    public void createNetwork(CreateNetworkRequest request) {
        Map<String, String> generic = generic(request.options());
        String pool = request.ipv4Data().isEmpty() ? "" : request.ipv4Data().get(0).pool();
        NetworkKey key;
        int mtu;
        try {
            key = NetworkKey.of(generic, pool);
            mtu = generic.containsKey(MTU_OPTION) ? Integer.parseInt(generic.get(MTU_OPTION))
                    : underlayMtu - KernelDataplane.VXLAN_OVERHEAD;
        } catch (NumberFormatException e) {
            throw new BadRequestException(MTU_OPTION + " must be a number, not '" + generic.get(MTU_OPTION) + "'");
        } catch (IllegalArgumentException e) {
            throw new BadRequestException(e.getMessage());
        }
        if (mtu < 576 || mtu > 65_000) {
            throw new BadRequestException(MTU_OPTION + " " + mtu + " is out of range (576..65000)");
        }
        int vni = store(() -> vnis.join(key, hostId, clock.millis()));
        KernelDataplane dp = dataplane(vni, mtu);
        try {
            dp.ensureNetwork();
            local.put(new LocalState.NetworkState(request.networkId(), key.value(), vni, mtu));
            networks.put(request.networkId(), new NetworkRuntime(key, dp, cluster, hostId, vni));
        } catch (RuntimeException e) {
            // roll back: devices and the VNI hold
            try {
                dp.deleteNetwork();
                vnis.leave(key, hostId);
                local.removeNetwork(request.networkId());
            } catch (RuntimeException rollback) {
                LOG.error("rolling back network {} failed too: {}", request.networkId(), rollback.toString());
            }
            throw new UnavailableException("creating network " + key + " failed: " + e.getMessage(), e);
        }
    }

    @Override
    public void deleteNetwork(NetworkRequest request) {
        NetworkRuntime rt = networks.remove(request.networkId());
        Optional<LocalState.NetworkState> n = local.network(request.networkId());
        if (rt == null && n.isEmpty()) {
            throw new NotFoundException("network " + request.networkId() + " is not a berth/overlay network here");
        }
        if (rt != null) {
            rt.close();
            rt.dataplane.deleteNetwork();
        }
        n.ifPresent(s -> {
            store(() -> vnis.leave(new NetworkKey(s.key()), hostId));
            local.removeNetwork(s.networkId());
        });
    }

    @Override
    public CreateEndpointResponse createEndpoint(CreateEndpointRequest request) {
        NetworkRuntime rt = runtime(request.networkId());
        EndpointInterface in = request.endpointInterface();
        if (in == null || in.address() == null || in.address().isEmpty()) {
            throw new BadRequestException("an overlay endpoint needs an IPv4 address (Interface.Address)");
        }
        String ipv4 = in.address().substring(0, in.address().indexOf('/') < 0 ? in.address().length()
                : in.address().indexOf('/'));
        String ipv6 = in.addressIpv6() == null || in.addressIpv6().isEmpty() ? null
                : in.addressIpv6().substring(0, in.addressIpv6().indexOf('/') < 0 ? in.addressIpv6().length()
                : in.addressIpv6().indexOf('/'));
        boolean macGiven = in.macAddress() != null && !in.macAddress().isEmpty();
        String mac = macGiven ? in.macAddress() : macFor(ipv4);
        LocalState.EndpointState e = new LocalState.EndpointState(request.endpointId(), request.networkId(), ipv4,
                ipv6, mac);
        publish(rt.key, e);
        local.put(e);
        return new CreateEndpointResponse(macGiven ? null : new EndpointInterface(null, null, mac));
    }

    @Override
    public void deleteEndpoint(EndpointRequest request) {
        Optional<LocalState.EndpointState> e = local.endpoint(request.endpointId());
        if (e.isEmpty()) {
            return; // Docker cleans up stale endpoints after a restart: nothing to do is fine
        }
        local.network(e.get().networkId()).ifPresent(n -> store(() -> {
            claims.release(new NetworkKey(n.key()), e.get().ipv4(), hostId, request.endpointId());
            return null;
        }));
        local.removeEndpoint(request.endpointId());
    }

    @Override
    public JoinResponse join(JoinRequest request) {
        NetworkRuntime rt = runtime(request.networkId());
        LocalState.EndpointState e = local.endpoint(request.endpointId()).orElseThrow(
                () -> new NotFoundException("endpoint " + request.endpointId() + " is unknown"));
        String device = rt.dataplane.createEndpoint(request.endpointId(), MacAddress.parse(e.mac()));
        return new JoinResponse(new InterfaceName(device, "eth"), "", "", List.of(), false);
    }

    @Override
    public void leave(EndpointRequest request) {
        NetworkRuntime rt = networks.get(request.networkId());
        if (rt != null) {
            rt.dataplane.deleteEndpoint(request.endpointId());
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
        networks.values().forEach(NetworkRuntime::close);
    }

    private void publish(NetworkKey key, LocalState.EndpointState e) {
        try {
            store(() -> {
                claims.claim(key, new EndpointRecord(hostId, e.endpointId(), vtep.getHostAddress(), e.mac(),
                        e.ipv4(), e.ipv6()), lease.get());
                return null;
            });
        } catch (EndpointClaims.AddressTaken taken) {
            throw new ConflictException(taken.getMessage());
        }
    }

    private NetworkRuntime runtime(String networkId) {
        NetworkRuntime rt = networks.get(networkId);
        if (rt == null) {
            throw new NotFoundException("network " + networkId + " is not a berth/overlay network here");
        }
        return rt;
    }

    private KernelDataplane dataplane(int vni, int mtu) {
        return new KernelDataplane(nl, vni, vtep, underlayIndex, mtu);
    }

    /** Docker's way of deriving a MAC from an IPv4 address: 02:42 and the four address bytes. */
    static String macFor(String ipv4) {
        String[] p = ipv4.split("\\.");
        return String.format("02:42:%02x:%02x:%02x:%02x", Integer.parseInt(p[0]), Integer.parseInt(p[1]),
                Integer.parseInt(p[2]), Integer.parseInt(p[3]));
    }

    @SuppressWarnings("unchecked")
    static Map<String, String> generic(Map<String, Object> options) {
        Object g = options.get(GENERIC);
        if (g instanceof Map<?, ?> m) {
            Map<String, String> out = new java.util.HashMap<>();
            m.forEach((k, v) -> out.put(String.valueOf(k), String.valueOf(v)));
            return out;
        }
        return Map.of();
    }

    private static <T> T store(Supplier<T> call) {
        try {
            return call.get();
        } catch (KvException e) {
            throw new UnavailableException("the store is unreachable: " + e.getMessage(), e);
        }
    }

}
