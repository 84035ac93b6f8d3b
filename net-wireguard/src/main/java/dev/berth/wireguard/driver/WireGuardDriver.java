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
    /** The key pair in force on this host's devices (changes at a rotation's "switch"). */
    private volatile KeyPair keys;
    /** The key this host is rotating to, published as {@code nextPublicKey} until the switch; null otherwise. */
    private volatile KeyPair next;
    /** Where the private key in force is kept (rotation stores the new one there first); null: rotation refused. */
    private volatile dev.berth.wireguard.KeyStore keyStore;
    private volatile String keyName = "host";
    private final java.util.concurrent.locks.ReentrantLock rotating = new java.util.concurrent.locks.ReentrantLock();

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
        this.keys = settings.keys();
    }

    /** Enables key rotation: {@code store}'s key {@code name} is the one in force (as the plugin loaded it). */
    public void useKeyStore(dev.berth.wireguard.KeyStore store, String name) {
        this.keyStore = store;
        this.keyName = name;
    }

    /** The public key in force on this host's devices. */
    public dev.berth.wireguard.PublicKey publicKey() {
        return keys.publicKey();
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
                networks.put(n.networkId(), runtime(key, n, dp));
            } catch (KvException e) {
                throw e;
            } catch (RuntimeException e) {
                LOG.error("cannot restore network {}: {}", n.networkId(), e.toString());
            }
        }
        republishEndpoints();
    }

    /**
     * Each network's device checked (every few seconds): one whose wireguard-go exited and was started again bare by
     * the keeper, or that lost its key, port or up state, gets them back and its peers again. Cheap: one read per
     * device.
     */
    public synchronized void repairDevices() {
        for (WgNetworkRuntime rt : networks.values()) {
            try {
                if (!rt.dataplane.deviceReady()) {
                    LOG.warn("network {}: its WireGuard device lost its setup (wireguard-go restarted?); repairing",
                            rt.key);
                    rt.dataplane.ensureNetwork();
                    rt.sync();
                }
            } catch (RuntimeException e) {
                LOG.error("network {}: repairing its device failed ({}); tried again", rt.key, e.toString());
            }
        }
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
        String psk = psk(generic);
        for (WgLocalState.NetworkState n : local.networks()) {
            if (n.key().equals(key.value()) && !n.networkId().equals(request.networkId())) {
                throw new ConflictException("network " + key + " exists on this host already (network "
                        + n.networkId() + "): one berth/wireguard network per name or subnet per host");
            }
        }
        WgLocalState.NetworkState n = new WgLocalState.NetworkState(request.networkId(), key.value(),
                WgNames.device(s.hostId(), key), WgNames.table(key), freePort(), mtu, psk,
                pool.isBlank() ? null : pool);
        WgDataplane dp = dataplane(n);
        try {
            dp.ensureNetwork();
            store(() -> {
                publishHost(key, n);
                return null;
            });
            local.put(n);
            networks.put(request.networkId(), runtime(key, n, dp));
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
        String mac = in.macAddress() == null || in.macAddress().isBlank() ? null : in.macAddress().trim();
        if (mac != null) {
            try {
                dev.berth.netlink.MacAddress.parse(mac);
            } catch (IllegalArgumentException ex) {
                throw new BadRequestException("Interface.MacAddress " + mac + " is not a MAC address");
            }
        }
        WgLocalState.EndpointState e = new WgLocalState.EndpointState(request.endpointId(), request.networkId(), ipv4,
                mac);
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
        String container = rt.dataplane.createEndpoint(e.endpointId(), e.ipv4(), e.mac());
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
        WgNetworkRuntime rt = networks.get(n.networkId());
        KeyPair nextKeys = next;
        hostRecords.publish(key, s.hostId(), new HostRecords.HostRecord(keys.publicKey().base64(),
                address + ":" + n.port(), nextKeys == null ? null : nextKeys.publicKey().base64(),
                rt == null ? List.of() : rt.announced()), lease.get());
    }

    private WgNetworkRuntime runtime(NetworkKey key, WgLocalState.NetworkState n, WgDataplane dp) {
        WgNetworkRuntime rt = new WgNetworkRuntime(key, n, dp, cluster, claims, s.hostId());
        rt.onAnnounced(() -> {
            if (networks.get(n.networkId()) == rt) {
                publishHost(key, n);
            }
        });
        return rt;
    }

    static final String PSK_OPTION = "berth.wireguard.psk";

    /** The network's preshared key option, checked: base64 of exactly 32 bytes; null when not given. */
    static String psk(Map<String, String> generic) {
        String v = generic.get(PSK_OPTION);
        if (v == null) {
            return null;
        }
        byte[] raw;
        try {
            raw = java.util.Base64.getDecoder().decode(v.trim());
        } catch (IllegalArgumentException e) {
            throw new BadRequestException(PSK_OPTION + " must be the base64 of 32 bytes (wg genpsk), and it is not "
                    + "base64");
        }
        if (raw.length != 32) {
            throw new BadRequestException(PSK_OPTION + " must be the base64 of 32 bytes (wg genpsk), not "
                    + raw.length + " bytes");
        }
        if (dev.berth.wireguard.PresharedKey.of(raw).isNone()) {
            throw new BadRequestException(PSK_OPTION + " of all zeros means no key: leave the option out instead");
        }
        return dev.berth.wireguard.PresharedKey.of(raw).base64();
    }

    /** What a rotation did. */
    public record Rotation(dev.berth.wireguard.PublicKey oldKey, dev.berth.wireguard.PublicKey newKey,
                           java.util.Set<String> notAnnounced, java.util.Set<String> notCommitted) {
    }

    /**
     * Rotates this host's key across every network, without dropping sessions (README, "Key rotation"):
     * <ol>
     *   <li>a new key pair is generated and stored in the key store first (it is the key a restart uses from then
     *       on);</li>
     *   <li>each network's host record gets {@code nextPublicKey}; every other host adds it as a peer without
     *       allowed IPs and acks by listing it in its own record's {@code announced} ("announce"). This waits for
     *       every live host's ack, at most {@code timeout};</li>
     *   <li>every device of this host gets the new private key ("switch"), and the records {@code publicKey=new,
     *       nextPublicKey=null}: the other hosts move the allowed IPs and remove the old peer in one configure call
     *       ("commit"). This waits (again at most {@code timeout}) until no host lists the key as announced.</li>
     * </ol>
     * Hosts that did not ack in time are switched anyway: they then commit in one step when they see the record, as
     * after a restart, at the cost of a short gap for them. One rotation at a time.
     */
    public Rotation rotateKey(java.time.Duration timeout, java.util.function.Consumer<String> progress) {
        dev.berth.wireguard.KeyStore ks = keyStore;
        if (ks == null) {
            throw new IllegalStateException("key rotation needs the key store (useKeyStore)");
        }
        if (!rotating.tryLock()) {
            throw new IllegalStateException("a key rotation is already running on this host");
        }
        try {
            KeyPair old = keys;
            KeyPair fresh = dev.berth.wireguard.Keys.generate();
            ks.store(keyName, fresh.privateKey()); // first: from here on a restart uses the new key (README)
            progress.accept("stored the new key " + fresh.publicKey().base64() + "; announcing it");
            String nextB64 = fresh.publicKey().base64();
            synchronized (this) {
                next = fresh;
                republishHosts();
            }
            java.util.Set<String> missing = waitFor(timeout, () -> pending(nextB64, true));
            progress.accept(missing.isEmpty() ? "every peer host announced the new key; switching"
                    : "no announce from " + missing + " within " + timeout + "; switching anyway");
            synchronized (this) {
                keys = fresh;
                for (WgNetworkRuntime rt : networks.values()) {
                    try {
                        rt.dataplane.switchKey(fresh.privateKey());
                    } catch (RuntimeException e) {
                        // the device keeps the old key; the repair below gives it the stored one at the next restore
                        LOG.error("network {}: switching the key failed: {}", rt.key, e.toString());
                    }
                }
                next = null;
                republishHosts();
            }
            java.util.Set<String> uncommitted = waitFor(timeout, () -> pending(nextB64, false));
            progress.accept(uncommitted.isEmpty() ? "every peer host committed the new key"
                    : "not committed yet by " + uncommitted + " (they will at their next sync)");
            return new Rotation(old.publicKey(), fresh.publicKey(), missing, uncommitted);
        } finally {
            rotating.unlock();
        }
    }

    /** {@code wireguard/rotate/<host-id>}: a request to rotate that host's key ({@code berth wireguard rotate-key}). */
    public static final String ROTATE_REQUESTS = "wireguard/rotate/";
    /** {@code wireguard/rotate-status/<host-id>}: {id, state running|done|failed, publicKey, message}. */
    public static final String ROTATE_STATUS = "wireguard/rotate-status/";

    /** A rotation request or status, as the CLI writes and reads it. */
    public record RotateStatus(@com.fasterxml.jackson.annotation.JsonProperty("id") String id,
                               @com.fasterxml.jackson.annotation.JsonProperty("state") String state,
                               @com.fasterxml.jackson.annotation.JsonProperty("publicKey") String publicKey,
                               @com.fasterxml.jackson.annotation.JsonProperty("message") String message) {
    }

    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind
            .ObjectMapper().configure(com.fasterxml.jackson.databind.DeserializationFeature
                    .FAIL_ON_UNKNOWN_PROPERTIES, false);

    /**
     * Watches {@code wireguard/rotate/<this host>}: each request (a JSON {id}, any new id) runs {@link #rotateKey}
     * in the background, reports its progress in {@code wireguard/rotate-status/<this host>}, then deletes the
     * request. A request written while the plugin was down is served when it starts. Close to stop.
     */
    public AutoCloseable serveRotationRequests(java.time.Duration timeout) {
        String requestKey = ROTATE_REQUESTS + s.hostId();
        java.util.concurrent.ExecutorService worker = java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "berth-wireguard-rotate");
            t.setDaemon(true);
            return t;
        });
        java.util.concurrent.atomic.AtomicReference<String> last = new java.util.concurrent.atomic.AtomicReference<>();
        java.util.concurrent.atomic.AtomicReference<dev.berth.kv.PrefixView> view =
                new java.util.concurrent.atomic.AtomicReference<>();
        Runnable check = () -> {
            dev.berth.kv.PrefixView v = view.get();
            dev.berth.kv.KeyValue kv = v == null ? null : v.snapshot().get(requestKey);
            if (kv == null) {
                return;
            }
            String id;
            try {
                id = JSON.readValue(kv.value(), RotateStatus.class).id();
            } catch (java.io.IOException | RuntimeException e) {
                id = "rev-" + kv.modRevision();
            }
            String rid = id == null ? "rev-" + kv.modRevision() : id;
            if (rid.equals(last.getAndSet(rid))) {
                return;
            }
            long rev = kv.modRevision();
            worker.execute(() -> serveRotation(rid, requestKey, rev, timeout));
        };
        view.set(dev.berth.kv.PrefixView.start(cluster, requestKey, changes -> check.run()));
        check.run();
        return () -> {
            view.get().close();
            worker.shutdownNow();
        };
    }

    private void serveRotation(String id, String requestKey, long requestRevision, java.time.Duration timeout) {
        String statusKey = ROTATE_STATUS + s.hostId();
        java.util.function.BiConsumer<String, String> status = (state, message) -> {
            try {
                cluster.put(statusKey, JSON.writeValueAsBytes(new RotateStatus(id, state, keys.publicKey().base64(),
                        message)));
            } catch (java.io.IOException | RuntimeException e) {
                LOG.warn("cannot write the rotation status: {}", e.toString());
            }
        };
        try {
            status.accept("running", "rotation requested");
            Rotation r = rotateKey(timeout, m -> {
                LOG.info("key rotation {}: {}", id, m);
                status.accept("running", m);
            });
            status.accept("done", "now in force: " + r.newKey().base64() + " (was " + r.oldKey().base64() + ")"
                    + (r.notAnnounced().isEmpty() ? "" : "; switched without the ack of " + r.notAnnounced())
                    + (r.notCommitted().isEmpty() ? "" : "; not committed yet by " + r.notCommitted()));
        } catch (RuntimeException e) {
            LOG.error("key rotation {} failed: {}", id, e.toString());
            status.accept("failed", e.getMessage());
        } finally {
            try {
                cluster.compareAndDelete(requestKey, requestRevision);
            } catch (RuntimeException e) {
                LOG.warn("cannot remove the rotation request: {}", e.toString());
            }
        }
    }

    private void republishHosts() {
        for (WgNetworkRuntime rt : networks.values()) {
            try {
                store(() -> {
                    publishHost(rt.key, rt.state);
                    return null;
                });
            } catch (RuntimeException e) {
                LOG.error("publishing network {} failed: {}", rt.key, e.getMessage());
            }
        }
    }

    private java.util.Set<String> pending(String nextKey, boolean announcedWanted) {
        java.util.Set<String> out = new java.util.TreeSet<>();
        for (WgNetworkRuntime rt : networks.values()) {
            out.addAll(rt.hostsWhere(nextKey, announcedWanted));
        }
        return out;
    }

    private static java.util.Set<String> waitFor(java.time.Duration timeout,
                                                 Supplier<java.util.Set<String>> pending) {
        long end = System.nanoTime() + timeout.toNanos();
        while (true) {
            java.util.Set<String> p = pending.get();
            if (p.isEmpty() || System.nanoTime() > end) {
                return p;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return p;
            }
        }
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
        return new KernelWgDataplane(nl, links, wg, keys.privateKey(), n.device(), n.table(), n.port(),
                n.mtu(), n.psk() == null ? null : dev.berth.wireguard.PresharedKey.fromBase64(n.psk()),
                n.subnet());
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
