package dev.berth.wireguard.driver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.host.api.network.CreateEndpointRequest;
import dev.berth.host.api.network.CreateNetworkRequest;
import dev.berth.host.api.network.EndpointInterface;
import dev.berth.host.api.network.EndpointRequest;
import dev.berth.host.api.network.IpamData;
import dev.berth.host.api.network.JoinRequest;
import dev.berth.host.api.network.JoinResponse;
import dev.berth.host.api.network.NetworkRequest;
import dev.berth.host.error.BadRequestException;
import dev.berth.host.error.ConflictException;
import dev.berth.host.error.NotFoundException;
import dev.berth.kv.KvStore;
import dev.berth.kv.KvStores;
import dev.berth.kv.Lease;
import dev.berth.netlink.Family;
import dev.berth.netlink.FakeNetlink;
import dev.berth.netlink.IpPrefix;
import dev.berth.netlink.Ipv4Conf;
import dev.berth.netlink.Route;
import dev.berth.netlink.Rule;
import dev.berth.overlay.NetworkKey;
import dev.berth.wireguard.DeviceState;
import dev.berth.wireguard.FakeWireGuard;
import dev.berth.wireguard.KeyPair;
import dev.berth.wireguard.Keys;
import dev.berth.wireguard.PeerState;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two hosts' drivers over one real (embedded) cluster store, each with a fake kernel and a fake WireGuard. */
@Tag("unit")
class WireGuardDriverTest {
    @TempDir
    Path tmp;
    KvStore cluster;
    final List<AutoCloseable> open = new ArrayList<>();

    @BeforeEach
    void setUp() {
        cluster = KvStores.embedded(tmp.resolve("cluster"));
    }

    @AfterEach
    void tearDown() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
        cluster.close();
    }

    private record Host(String id, WireGuardDriver driver, FakeNetlink kernel, FakeWireGuard wg, KeyPair keys,
                        Lease lease) {
        String device(String networkKey) {
            return WgNames.device(id, new NetworkKey(networkKey));
        }

        DeviceState state(String networkKey) {
            return wg.read(device(networkKey));
        }

        Set<String> routes(String networkKey) {
            return kernel.routeList(Family.INET, WgNames.table(new NetworkKey(networkKey))).stream()
                    .filter(r -> r.type() == Route.TYPE_UNICAST)
                    .map(r -> r.dst() + " dev " + kernel.linkByIndex(r.oif()).name()).collect(Collectors.toSet());
        }
    }

    private Host host(String id, String underlay) throws Exception {
        FakeNetlink nl = new FakeNetlink();
        FakeWireGuard wg = new FakeWireGuard();
        KvStore local = KvStores.embedded(tmp.resolve(id));
        Lease lease = cluster.grantLease(Duration.ofSeconds(30));
        KeyPair keys = Keys.generate();
        WireGuardDriver d = new WireGuardDriver(nl, new FakeLinks(nl, wg), wg, cluster, local,
                new WireGuardDriver.Settings(id, keys, InetAddress.getByName(underlay), 1500, 51820, 51829, p -> true),
                () -> lease);
        open.add(d);
        open.add(local);
        return new Host(id, d, nl, wg, keys, lease);
    }

    private static CreateNetworkRequest network(String id, String subnet, Map<String, String> opts) {
        return new CreateNetworkRequest(id, Map.of(WireGuardDriver.GENERIC, opts),
                List.of(new IpamData("BerthGlobal", subnet, null, Map.of())), List.of());
    }

    private static CreateEndpointRequest endpoint(String net, String ep, String address) {
        return new CreateEndpointRequest(net, ep, new EndpointInterface(address, "", ""), Map.of());
    }

    private static void await(String what, BooleanSupplier done) throws InterruptedException {
        for (int i = 0; i < 200; i++) {
            if (done.getAsBoolean()) {
                return;
            }
            Thread.sleep(50);
        }
        assertTrue(done.getAsBoolean(), what);
    }

    static final String KEY = "name=blue";

    @Test
    void createNetwork_makesTheDeviceTableAndRule_andPublishesTheHost() throws Exception {
        Host h1 = host("h1", "10.99.0.1");
        h1.driver().createNetwork(network("n1", "10.20.0.0/24", Map.of("berth.network", "blue")));
        String dev = h1.device(KEY);
        assertTrue(dev.matches("wg[0-9a-f]{10}"), dev);
        DeviceState st = h1.state(KEY);
        assertEquals(h1.keys().publicKey(), st.publicKey());
        assertEquals(51820, st.listenPort());
        assertEquals(1440, h1.kernel().linkByName(dev).attrs().mtu(), "underlay 1500 - 60 for IPv4");
        assertTrue(h1.kernel().linkByName(dev).attrs().up());
        int table = WgNames.table(new NetworkKey(KEY));
        assertTrue(h1.kernel().ruleList(Family.INET).contains(Rule.iif(dev, table, WgNames.RULE_PRIORITY)));
        assertTrue(h1.kernel().routeList(Family.INET, table).stream()
                .anyMatch(r -> r.type() == Route.TYPE_UNREACHABLE && r.isDefault()), "a catch-all isolates the table");
        String record = new String(cluster.get("wireguard/hosts/name=blue/h1").orElseThrow().value());
        assertTrue(record.contains(h1.keys().publicKey().base64()) && record.contains("10.99.0.1:51820"), record);

        h1.driver().createNetwork(network("n2", "10.21.0.0/24", Map.of("com.docker.network.driver.mtu", "1300")));
        NetworkKey second = new NetworkKey("subnet=10.21.0.0_24");
        assertEquals(51821, h1.wg().read(WgNames.device("h1", second)).listenPort(), "a port of its own");
        assertEquals(1300, h1.kernel().linkByName(WgNames.device("h1", second)).attrs().mtu());
    }

    @Test
    void endpointsAndPeers_followTheStore_andLeaveWithTheirHost() throws Exception {
        Host h1 = host("h1", "10.99.0.1");
        Host h2 = host("h2", "10.99.0.2");
        h1.driver().createNetwork(network("n-on-h1", "10.20.0.0/24", Map.of("berth.network", "blue")));
        h2.driver().createNetwork(network("n-on-h2", "10.20.0.0/24", Map.of("berth.network", "blue")));
        h1.driver().createEndpoint(endpoint("n-on-h1", "ep1aaaaaaaaaaaaa", "10.20.0.2/24"));
        JoinResponse join = h1.driver().join(new JoinRequest("n-on-h1", "ep1aaaaaaaaaaaaa", "/x", Map.of()));
        assertEquals("wcep1aaaaaaaa", join.interfaceName().srcName());
        assertEquals("eth", join.interfaceName().dstPrefix());
        assertEquals("", join.gateway(), "no gateway: Docker's gateway bridge gives outside access");
        assertEquals(1, h1.kernel().linkIpv4Conf("wvep1aaaaaaaa", Ipv4Conf.PROXY_ARP));
        assertEquals(1440, h1.kernel().linkByName("wvep1aaaaaaaa").attrs().mtu());
        int table = WgNames.table(new NetworkKey(KEY));
        assertTrue(h1.kernel().ruleList(Family.INET).contains(Rule.iif("wvep1aaaaaaaa", table, WgNames.RULE_PRIORITY)));
        assertTrue(h1.routes(KEY).contains("10.20.0.2/32 dev wvep1aaaaaaaa"), h1.routes(KEY).toString());

        h2.driver().createEndpoint(endpoint("n-on-h2", "ep2bbbbbbbbbbbbb", "10.20.0.3/24"));
        await("h1 has h2 as a peer with 10.20.0.3/32", () -> h1.state(KEY).peer(h2.keys().publicKey())
                .map(p -> p.allowedIps().equals(List.of(IpPrefix.parse("10.20.0.3/32")))).orElse(false));
        PeerState p = h1.state(KEY).peer(h2.keys().publicKey()).orElseThrow();
        assertEquals(new InetSocketAddress("10.99.0.2", 51820), p.endpoint());
        assertEquals(25, p.persistentKeepalive());
        await("h1 routes 10.20.0.3 to its device", () -> h1.routes(KEY).contains("10.20.0.3/32 dev " + h1.device(KEY)));
        await("h2 has h1 with 10.20.0.2/32", () -> h2.state(KEY).peer(h1.keys().publicKey())
                .map(x -> x.allowedIps().equals(List.of(IpPrefix.parse("10.20.0.2/32")))).orElse(false));

        // a removed endpoint leaves the other host's peer and table
        h2.driver().leave(new EndpointRequest("n-on-h2", "ep2bbbbbbbbbbbbb"));
        h2.driver().deleteEndpoint(new EndpointRequest("n-on-h2", "ep2bbbbbbbbbbbbb"));
        await("10.20.0.3 gone from h1", () -> !h1.routes(KEY).contains("10.20.0.3/32 dev " + h1.device(KEY))
                && h1.state(KEY).peer(h2.keys().publicKey()).map(x -> x.allowedIps().isEmpty()).orElse(false));
        assertTrue(h2.kernel().linkFind("wvep2bbbbbbbb").isEmpty());

        // a dead host's records go with its lease, and so does its peer
        h2.driver().createEndpoint(endpoint("n-on-h2", "ep3ccccccccccccc", "10.20.0.4/24"));
        await("h1 routes 10.20.0.4", () -> h1.routes(KEY).contains("10.20.0.4/32 dev " + h1.device(KEY)));
        h2.driver().close();
        h2.lease().close();
        await("h2's peer gone from h1", () -> h1.state(KEY).peers().isEmpty()
                && !h1.routes(KEY).contains("10.20.0.4/32 dev " + h1.device(KEY)));
        assertTrue(h1.routes(KEY).contains("10.20.0.2/32 dev wvep1aaaaaaaa"), "local endpoints stay");

        h1.driver().leave(new EndpointRequest("n-on-h1", "ep1aaaaaaaaaaaaa"));
        h1.driver().deleteEndpoint(new EndpointRequest("n-on-h1", "ep1aaaaaaaaaaaaa"));
        h1.driver().deleteNetwork(new NetworkRequest("n-on-h1"));
        assertFalse(h1.wg().has(h1.device(KEY)));
        assertTrue(h1.kernel().ruleList(Family.INET).stream().noneMatch(r -> r.table() == table));
        assertTrue(h1.kernel().routeList(Family.INET, table).isEmpty());
        assertTrue(cluster.get("wireguard/hosts/name=blue/h1").isEmpty());
        assertThrows(NotFoundException.class, () -> h1.driver().deleteNetwork(new NetworkRequest("n-on-h1")));
    }

    @Test
    void anAddressAnotherHostHolds_isRefused() throws Exception {
        Host h1 = host("h1", "10.99.0.1");
        Host h2 = host("h2", "10.99.0.2");
        h1.driver().createNetwork(network("a", "10.20.0.0/24", Map.of()));
        h2.driver().createNetwork(network("b", "10.20.0.0/24", Map.of()));
        h1.driver().createEndpoint(endpoint("a", "ep1", "10.20.0.2/24"));
        ConflictException e = assertThrows(ConflictException.class,
                () -> h2.driver().createEndpoint(endpoint("b", "ep9", "10.20.0.2/24")));
        assertTrue(e.getMessage().contains("10.20.0.2") && e.getMessage().contains("h1"), e.getMessage());
        assertTrue(cluster.list("overlay/").entries().isEmpty(), "never mixed with berth/overlay's records");
    }

    @Test
    void badOptions_areRefusedClearly_andChangeNothing() throws Exception {
        Host h1 = host("h1", "10.99.0.1");
        List<String> before = h1.kernel().operations();
        BadRequestException mtu = assertThrows(BadRequestException.class, () -> h1.driver().createNetwork(
                network("n", "10.20.0.0/24", Map.of("com.docker.network.driver.mtu", "big"))));
        assertTrue(mtu.getMessage().contains("must be a number"), mtu.getMessage());
        BadRequestException small = assertThrows(BadRequestException.class, () -> h1.driver().createNetwork(
                network("n", "10.20.0.0/24", Map.of("com.docker.network.driver.mtu", "100"))));
        assertTrue(small.getMessage().contains("out of range"), small.getMessage());
        BadRequestException name = assertThrows(BadRequestException.class, () -> h1.driver().createNetwork(
                network("n", "10.20.0.0/24", Map.of("berth.network", "no spaces"))));
        assertTrue(name.getMessage().contains("berth.network"), name.getMessage());
        assertThrows(BadRequestException.class, () -> h1.driver().createNetwork(new CreateNetworkRequest("n",
                Map.of(), List.of(new IpamData("x", "10.20.0.0/24", null, Map.of())),
                List.of(new IpamData("x", "fd00::/64", null, Map.of())))));
        assertEquals(before, h1.kernel().operations(), "nothing changed in the kernel");
        assertTrue(h1.wg().calls().isEmpty());
        assertTrue(cluster.list("wireguard/").entries().isEmpty());

        h1.driver().createNetwork(network("n", "10.20.0.0/24", Map.of()));
        assertThrows(ConflictException.class, () -> h1.driver().createNetwork(network("m", "10.20.0.0/24", Map.of())));
        assertThrows(BadRequestException.class, () -> h1.driver().createEndpoint(endpoint("n", "ep", "")));
        assertThrows(NotFoundException.class, () -> h1.driver().createEndpoint(endpoint("zz", "ep", "10.20.0.5/24")));
    }

    @Test
    void aFailingDevice_rollsTheNetworkBack() throws Exception {
        Host h1 = host("h1", "10.99.0.1");
        h1.kernel().failNext("ip link set dev wg", 1);
        assertThrows(RuntimeException.class, () -> h1.driver().createNetwork(network("n", "10.20.0.0/24", Map.of())));
        assertFalse(h1.wg().has(WgNames.device("h1", new NetworkKey("subnet=10.20.0.0_24"))));
        assertTrue(cluster.list("wireguard/").entries().isEmpty());
        h1.driver().createNetwork(network("n", "10.20.0.0/24", Map.of()));
    }

    @Test
    void aRestartedDriver_recreatesTheDeviceWithTheSameKeyAndPort() throws Exception {
        Host h1 = host("h1", "10.99.0.1");
        Host h2 = host("h2", "10.99.0.2");
        h1.driver().createNetwork(network("a", "10.20.0.0/24", Map.of()));
        h2.driver().createNetwork(network("b", "10.20.0.0/24", Map.of()));
        h2.driver().createEndpoint(endpoint("b", "ep2", "10.20.0.3/24"));
        String key = "subnet=10.20.0.0_24";
        await("peer on h1", () -> h1.state(key).peer(h2.keys().publicKey()).isPresent());
        h1.driver().close();
        // wireguard-go stopped with the plugin's container: the device is gone
        new FakeLinks(h1.kernel(), h1.wg()).delete(h1.device(key));
        WireGuardDriver restarted = new WireGuardDriver(h1.kernel(), new FakeLinks(h1.kernel(), h1.wg()), h1.wg(),
                cluster, KvStores.embedded(tmp.resolve("h1")),
                new WireGuardDriver.Settings("h1", h1.keys(), InetAddress.getByName("10.99.0.1"), 1500, 51820, 51829,
                        p -> true), h1::lease);
        open.add(restarted);
        restarted.restore();
        DeviceState st = h1.state(key);
        assertEquals(h1.keys().publicKey(), st.publicKey());
        assertEquals(51820, st.listenPort());
        await("peer back", () -> h1.state(key).peer(h2.keys().publicKey()).isPresent()
                && h1.routes(key).contains("10.20.0.3/32 dev " + h1.device(key)));
    }
}
