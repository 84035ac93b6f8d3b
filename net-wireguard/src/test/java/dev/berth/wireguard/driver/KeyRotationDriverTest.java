package dev.berth.wireguard.driver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.host.api.network.CreateEndpointRequest;
import dev.berth.host.api.network.CreateNetworkRequest;
import dev.berth.host.api.network.EndpointInterface;
import dev.berth.host.api.network.IpamData;
import dev.berth.host.error.BadRequestException;
import dev.berth.kv.KvStore;
import dev.berth.kv.KvStores;
import dev.berth.kv.Lease;
import dev.berth.netlink.FakeNetlink;
import dev.berth.netlink.IpPrefix;
import dev.berth.overlay.NetworkKey;
import dev.berth.wireguard.Backend;
import dev.berth.wireguard.DeviceConfig;
import dev.berth.wireguard.DeviceState;
import dev.berth.wireguard.FakeWireGuard;
import dev.berth.wireguard.KeyPair;
import dev.berth.wireguard.KeyStore;
import dev.berth.wireguard.Keys;
import dev.berth.wireguard.PeerConfig;
import dev.berth.wireguard.PeerState;
import dev.berth.wireguard.PresharedKey;
import dev.berth.wireguard.PublicKey;
import dev.berth.wireguard.WireGuardControl;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Key rotation through the store (announce / switch / commit) across two simulated hosts on one embedded cluster
 * store, each with FakeNetlink and FakeWireGuard; and the preshared-key option.
 */
@Tag("unit")
class KeyRotationDriverTest {
    @TempDir
    Path tmp;
    KvStore cluster;
    final List<AutoCloseable> open = new ArrayList<>();

    static final String PSK = Base64.getEncoder().encodeToString(new byte[] {
        1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29,
        30, 31, 32});
    static final String KEY = "name=blue";

    @BeforeEach
    void setUp() {
        cluster = KvStores.embedded(tmp.resolve("cluster"));
    }

    @AfterEach
    void tearDown() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
        cluster.close();
    }

    /** Every configure call, with what it asked, in order. */
    static final class Recording implements WireGuardControl {
        final FakeWireGuard fake;
        final List<DeviceConfig> calls = new CopyOnWriteArrayList<>();

        Recording(FakeWireGuard fake) {
            this.fake = fake;
        }

        @Override
        public void configure(String iface, DeviceConfig changes) {
            calls.add(changes);
            fake.configure(iface, changes);
        }

        @Override
        public DeviceState read(String iface) {
            return fake.read(iface);
        }

        @Override
        public Backend backend() {
            return fake.backend();
        }
    }

    private record Host(String id, WireGuardDriver driver, FakeNetlink kernel, FakeWireGuard wg, Recording rec,
                        KeyStore keyStore, KvStore local, Lease lease) {
        DeviceState state() {
            return wg.read(WgNames.device(id, new NetworkKey(KEY)));
        }
    }

    private Host host(String id, String underlay) throws Exception {
        FakeNetlink nl = new FakeNetlink();
        FakeWireGuard wg = new FakeWireGuard();
        KvStore local = KvStores.embedded(tmp.resolve(id));
        open.add(local);
        Lease lease = cluster.grantLease(Duration.ofSeconds(30));
        KeyStore ks = new KeyStore(tmp.resolve(id + "-keys"));
        return start(id, underlay, nl, wg, ks, local, lease);
    }

    private Host start(String id, String underlay, FakeNetlink nl, FakeWireGuard wg, KeyStore ks, KvStore local,
                       Lease lease) throws Exception {
        KeyPair keys = ks.loadOrCreate("host");
        Recording rec = new Recording(wg);
        WireGuardDriver d = new WireGuardDriver(nl, new FakeLinks(nl, wg), rec, cluster, local,
                new WireGuardDriver.Settings(id, keys, InetAddress.getByName(underlay), 1500, 51820, 51829, p -> true),
                () -> lease);
        d.useKeyStore(ks, "host");
        open.add(d);
        return new Host(id, d, nl, wg, rec, ks, local, lease);
    }

    private static CreateNetworkRequest network(String id, Map<String, String> opts) {
        return new CreateNetworkRequest(id, Map.of(WireGuardDriver.GENERIC, opts),
                List.of(new IpamData("BerthGlobal", "10.20.0.0/24", null, Map.of())), List.of());
    }

    private static CreateEndpointRequest endpoint(String net, String ep, String address) {
        return new CreateEndpointRequest(net, ep, new EndpointInterface(address, "", ""), Map.of());
    }

    private static void await(String what, BooleanSupplier done) throws InterruptedException {
        for (int i = 0; i < 200; i++) {
            if (done.getAsBoolean()) {
                return;
            }
            Thread.sleep(25);
        }
        assertTrue(done.getAsBoolean(), what);
    }

    private static List<IpPrefix> ips(String... s) {
        return java.util.Arrays.stream(s).map(IpPrefix::parse).toList();
    }

    private Host[] twoHosts(Map<String, String> opts) throws Exception {
        Host h1 = host("h1", "10.99.0.1");
        Host h2 = host("h2", "10.99.0.2");
        h1.driver().createNetwork(network("n1", opts));
        h2.driver().createNetwork(network("n2", opts));
        h1.driver().createEndpoint(endpoint("n1", "ep1", "10.20.0.2/24"));
        h2.driver().createEndpoint(endpoint("n2", "ep2", "10.20.0.3/24"));
        PublicKey k1 = h1.driver().publicKey();
        PublicKey k2 = h2.driver().publicKey();
        await("peers both ways", () -> h2.state().peer(k1).map(p -> p.allowedIps().equals(ips("10.20.0.2/32")))
                .orElse(false) && h1.state().peer(k2).map(p -> p.allowedIps().equals(ips("10.20.0.3/32")))
                .orElse(false));
        return new Host[] {h1, h2};
    }

    private HostRecords.HostRecord record(String host) {
        return HostRecords.decode(cluster.get(HostRecords.prefix(new NetworkKey(KEY)) + host).orElseThrow().value());
    }

    @Test
    void rotation_announcesSwitchesAndCommits_acrossTwoHosts_keepingThePresharedKey() throws Exception {
        Host[] hs = twoHosts(Map.of("berth.network", "blue", WireGuardDriver.PSK_OPTION, PSK));
        Host h1 = hs[0];
        Host h2 = hs[1];
        PublicKey old = h1.driver().publicKey();
        assertEquals(PresharedKey.fromBase64(PSK), h2.state().peer(old).orElseThrow().presharedKey());
        assertEquals(PresharedKey.fromBase64(PSK), h1.state().peer(h2.driver().publicKey()).orElseThrow()
                .presharedKey());
        List<String> seen = new CopyOnWriteArrayList<>();
        int h2CallsBefore = h2.rec().calls.size();
        WireGuardDriver.Rotation r = h1.driver().rotateKey(Duration.ofSeconds(5), m -> {
            seen.add(m);
            if (m.startsWith("stored the new key")) {
                // step 0: the new key is stored before anything else, and is not in force yet
                assertFalse(h1.keyStore().load("host").orElseThrow().publicKey().equals(old));
                assertEquals(old, h1.state().publicKey());
            }
            if (m.startsWith("every peer host announced")) {
                // after "announce", before "switch": h2 has both keys, the addresses still on the old one
                PublicKey next = h1.keyStore().load("host").orElseThrow().publicKey();
                assertEquals(next.base64(), record("h1").nextPublicKey());
                assertEquals(List.of(next.base64()), record("h2").announced());
                PeerState announced = h2.state().peer(next).orElseThrow();
                assertEquals(List.of(), announced.allowedIps());
                assertEquals(PresharedKey.fromBase64(PSK), announced.presharedKey());
                assertEquals(h2.state().peer(old).orElseThrow().endpoint(), announced.endpoint());
                assertEquals(0, announced.persistentKeepalive(), "no keepalive until the commit (README)");
                assertEquals(ips("10.20.0.2/32"), h2.state().peer(old).orElseThrow().allowedIps());
                assertEquals(old, h1.state().publicKey());
            }
        });
        assertEquals(old, r.oldKey());
        PublicKey next = r.newKey();
        assertEquals(Set.of(), r.notAnnounced());
        assertEquals(Set.of(), r.notCommitted());
        assertTrue(seen.stream().anyMatch(m -> m.startsWith("every peer host committed")), seen.toString());
        // switch: h1's device and key store hold the new key; the record says so
        assertEquals(next, h1.state().publicKey());
        assertEquals(next, h1.keyStore().load("host").orElseThrow().publicKey());
        assertEquals(next, h1.driver().publicKey());
        assertEquals(next.base64(), record("h1").publicKey());
        assertNull(record("h1").nextPublicKey());
        // commit: h2 has only the new key, with the addresses and the preshared key
        DeviceState st = h2.state();
        assertTrue(st.peer(old).isEmpty());
        assertEquals(ips("10.20.0.2/32"), st.peer(next).orElseThrow().allowedIps());
        assertEquals(PresharedKey.fromBase64(PSK), st.peer(next).orElseThrow().presharedKey());
        assertEquals(25, st.peer(next).orElseThrow().persistentKeepalive());
        await("h2's ack withdrawn", () -> record("h2").announced().isEmpty());
        // the commit was one configure call: the addresses moved to the new key and the old key removed together
        List<DeviceConfig> after = h2.rec().calls.subList(h2CallsBefore, h2.rec().calls.size());
        assertTrue(after.stream().anyMatch(c -> c.peers().stream().anyMatch(p -> p.publicKey().equals(old)
                && p.remove()) && c.peers().stream().anyMatch(p -> p.publicKey().equals(next)
                && p.allowedIps().equals(ips("10.20.0.2/32")))), after.toString());
        // and the announce came before it, with no allowed IPs
        int announce = -1;
        int commit = -1;
        for (int i = 0; i < after.size(); i++) {
            for (PeerConfig p : after.get(i).peers()) {
                if (p.publicKey().equals(next) && p.allowedIps().isEmpty() && announce < 0) {
                    announce = i;
                }
                if (p.publicKey().equals(old) && p.remove()) {
                    commit = i;
                }
            }
        }
        assertTrue(announce >= 0 && announce < commit, "announce " + announce + ", commit " + commit);
        // h2 can rotate too, and h1 follows
        PublicKey next2 = h2.driver().rotateKey(Duration.ofSeconds(5), m -> { }).newKey();
        await("h1 committed h2's key", () -> h1.state().peer(next2).map(p -> p.allowedIps()
                .equals(ips("10.20.0.3/32"))).orElse(false) && h1.state().peers().size() == 1);
    }

    @Test
    void aHostThatNeverAcks_isSwitchedAnywayAfterTheTimeout() throws Exception {
        Host[] hs = twoHosts(Map.of("berth.network", "blue"));
        Host h1 = hs[0];
        Host h2 = hs[1];
        h2.driver().close(); // h2's plugin is stuck: its record stays (its lease lives) but it follows nothing
        long t0 = System.nanoTime();
        WireGuardDriver.Rotation r = h1.driver().rotateKey(Duration.ofMillis(500), m -> { });
        assertTrue(System.nanoTime() - t0 >= 450_000_000L, "waited for the ack");
        assertEquals(Set.of("h2"), r.notAnnounced());
        assertEquals(r.newKey(), h1.state().publicKey());
        assertEquals(r.newKey().base64(), record("h1").publicKey());
    }

    @Test
    void aCrashAfterStoringTheNewKey_restartsOnTheNewKey_andThePeerCommitsInOneStep() throws Exception {
        Host[] hs = twoHosts(Map.of("berth.network", "blue"));
        Host h1 = hs[0];
        Host h2 = hs[1];
        PublicKey old = h1.driver().publicKey();
        // the rotation crashed right after step 0 (new key stored; nothing announced, nothing switched)
        KeyPair next = Keys.generate();
        h1.keyStore().store("host", next.privateKey());
        h1.driver().close();
        new FakeLinks(h1.kernel(), h1.wg()).delete(WgNames.device("h1", new NetworkKey(KEY)));
        Host again = start("h1", "10.99.0.1", h1.kernel(), h1.wg(), h1.keyStore(), h1.local(), h1.lease());
        again.driver().restore();
        assertEquals(next.publicKey(), again.state().publicKey());
        await("h2 moved to the stored key", () -> h2.state().peer(next.publicKey()).map(p -> p.allowedIps()
                .equals(ips("10.20.0.2/32"))).orElse(false) && h2.state().peer(old).isEmpty());
        await("h1 still peers with h2", () -> again.state().peer(h2.driver().publicKey()).isPresent());
    }

    @Test
    void aRequestInTheStore_rotatesAndReportsItsStatus() throws Exception {
        Host[] hs = twoHosts(Map.of("berth.network", "blue"));
        Host h1 = hs[0];
        PublicKey old = h1.driver().publicKey();
        AutoCloseable serving = h1.driver().serveRotationRequests(Duration.ofSeconds(5));
        open.add(serving);
        ObjectMapper json = new ObjectMapper();
        cluster.put(WireGuardDriver.ROTATE_REQUESTS + "h1",
                json.writeValueAsBytes(new WireGuardDriver.RotateStatus("req-1", "requested", null, null)));
        await("status done", () -> cluster.get(WireGuardDriver.ROTATE_STATUS + "h1").map(kv -> {
            try {
                WireGuardDriver.RotateStatus st = json.readValue(kv.value(), WireGuardDriver.RotateStatus.class);
                return st.id().equals("req-1") && st.state().equals("done");
            } catch (java.io.IOException e) {
                return false;
            }
        }).orElse(false));
        assertFalse(h1.driver().publicKey().equals(old));
        await("request removed", () -> cluster.get(WireGuardDriver.ROTATE_REQUESTS + "h1").isEmpty());
    }

    @Test
    void badPresharedKeys_areRefused_withNothingCreated() throws Exception {
        Host h1 = host("h1", "10.99.0.1");
        for (String bad : List.of("not base64!", Base64.getEncoder().encodeToString(new byte[16]),
                Base64.getEncoder().encodeToString(new byte[32]))) {
            BadRequestException e = assertThrows(BadRequestException.class, () -> h1.driver().createNetwork(
                    network("n1", Map.of("berth.network", "blue", WireGuardDriver.PSK_OPTION, bad))));
            assertTrue(e.getMessage().contains(WireGuardDriver.PSK_OPTION), e.getMessage());
        }
        assertFalse(h1.wg().has(WgNames.device("h1", new NetworkKey(KEY))));
        assertTrue(cluster.list(HostRecords.ROOT).entries().isEmpty());
        assertTrue(h1.rec().calls.isEmpty());
    }

    @Test
    void rotateEvery_parsesDurations() {
        assertNull(WireGuardPlugin.duration("", "X"));
        assertNull(WireGuardPlugin.duration("off", "X"));
        assertEquals(Duration.ofHours(24), WireGuardPlugin.duration("24h", "X"));
        assertEquals(Duration.ofDays(2), WireGuardPlugin.duration("2d", "X"));
        assertThrows(IllegalArgumentException.class, () -> WireGuardPlugin.duration("10s", "X"));
        assertThrows(IllegalArgumentException.class, () -> WireGuardPlugin.duration("soon", "X"));
    }
}
