package dev.berth.overlay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.host.api.network.CreateEndpointRequest;
import dev.berth.host.api.network.CreateNetworkRequest;
import dev.berth.host.api.network.EndpointInterface;
import dev.berth.host.api.network.EndpointRequest;
import dev.berth.host.api.network.IpamData;
import dev.berth.host.api.network.JoinRequest;
import dev.berth.host.api.network.NetworkRequest;
import dev.berth.host.error.BadRequestException;
import dev.berth.host.error.ConflictException;
import dev.berth.kv.KvStore;
import dev.berth.kv.KvStores;
import dev.berth.kv.Lease;
import dev.berth.netlink.Family;
import dev.berth.netlink.FakeNetlink;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two hosts' drivers over one real cluster store, each with a fake kernel: the protocol and what gets programmed. */
@Tag("unit")
class OverlayDriverTest {
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

    private record Host(OverlayDriver driver, FakeNetlink kernel, Lease lease) {
    }

    private Host host(String name, String vtep) throws Exception {
        FakeNetlink nl = new FakeNetlink();
        KvStore local = KvStores.embedded(tmp.resolve(name));
        Lease lease = cluster.grantLease(Duration.ofSeconds(30));
        OverlayDriver d = new OverlayDriver(nl, cluster, local, name, InetAddress.getByName(vtep), 0, 1500,
                () -> lease, Clock.systemUTC());
        open.add(d);
        open.add(local);
        return new Host(d, nl, lease);
    }

    private static CreateNetworkRequest network(String id, String subnet, Map<String, String> opts) {
        return new CreateNetworkRequest(id, Map.of(OverlayDriver.GENERIC, opts),
                List.of(new IpamData("BerthGlobal", subnet, null, Map.of())), List.of());
    }

    private static void await(String what, BooleanSupplier ok) throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (!ok.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out: " + what);
            }
            Thread.sleep(20);
        }
    }

    @Test
    void aNetworkOnTwoHosts_sharesItsVni_andEachHostProgramsTheOthersEndpoints() throws Exception {
        Host h1 = host("h1", "10.99.0.1");
        Host h2 = host("h2", "10.99.0.2");
        assertEquals("local", h1.driver().capabilities().scope());
        assertEquals("global", h1.driver().capabilities().connectivityScope());
        h1.driver().createNetwork(network("net-on-h1", "10.90.0.0/24", Map.of()));
        h2.driver().createNetwork(network("net-on-h2", "10.90.0.0/24", Map.of()));
        String vx = h1.kernel().linkList().stream().map(l -> l.attrs().name()).filter(n -> n.startsWith("vx"))
                .findFirst().orElseThrow();
        assertTrue(h2.kernel().linkFind(vx).isPresent(), "the same VNI (device " + vx + ") on both hosts");
        assertEquals(1500 - 50, h1.kernel().linkByName(vx).attrs().mtu());

        var created = h1.driver().createEndpoint(new CreateEndpointRequest("net-on-h1", "ep1",
                new EndpointInterface("10.90.0.2/24", "", ""), Map.of()));
        assertEquals("02:42:0a:5a:00:02", created.endpointInterface().macAddress(), "a MAC when Docker gave none");
        var join = h1.driver().join(new JoinRequest("net-on-h1", "ep1", "/var/run/docker/netns/x", Map.of()));
        assertEquals("eth", join.interfaceName().dstPrefix());
        assertTrue(h1.kernel().linkFind(join.interfaceName().srcName()).isPresent());

        int vxIndex = h2.kernel().linkByName(vx).attrs().index();
        await("h2 programs h1's endpoint", () -> h2.kernel().neighList(Family.BRIDGE, vxIndex).stream()
                .anyMatch(n -> n.ip() != null && n.ip().getHostAddress().equals("10.99.0.1")));
        await("and its ARP entry", () -> h2.kernel().neighList(Family.INET, vxIndex).stream()
                .anyMatch(n -> n.ip().getHostAddress().equals("10.90.0.2")));
        assertTrue(h1.kernel().neighList(Family.INET, h1.kernel().linkByName(vx).attrs().index()).isEmpty(),
                "a host never programs its own endpoints as peers");

        ConflictException taken = assertThrows(ConflictException.class, () -> h2.driver().createEndpoint(
                new CreateEndpointRequest("net-on-h2", "ep9", new EndpointInterface("10.90.0.2/24", "", ""),
                        Map.of())));
        assertTrue(taken.getMessage().contains("already used on this network"), taken.getMessage());

        h1.driver().leave(new EndpointRequest("net-on-h1", "ep1"));
        h1.driver().deleteEndpoint(new EndpointRequest("net-on-h1", "ep1"));
        await("h2 forgets it", () -> h2.kernel().neighList(Family.INET, vxIndex).isEmpty());
        h1.driver().deleteNetwork(new NetworkRequest("net-on-h1"));
        assertTrue(h1.kernel().linkFind(vx).isEmpty(), "no device left behind");
        assertEquals(1, cluster.list("overlay/vnis/").entries().size(), "h2 still holds the VNI");
        h2.driver().deleteNetwork(new NetworkRequest("net-on-h2"));
        assertEquals(0, cluster.list("overlay/").entries().size(), "the last host out frees everything");
    }

    @Test
    void badOptions_areRefusedClearly() throws Exception {
        Host h1 = host("h1", "10.99.0.1");
        assertThrows(BadRequestException.class, () -> h1.driver().createNetwork(network("n1", "10.91.0.0/24",
                Map.of(OverlayDriver.MTU_OPTION, "big"))));
        assertThrows(BadRequestException.class, () -> h1.driver().createNetwork(network("n1", "10.91.0.0/24",
                Map.of(OverlayDriver.MTU_OPTION, "100"))));
        assertThrows(BadRequestException.class, () -> h1.driver().createNetwork(network("n1", "10.91.0.0/24",
                Map.of(NetworkKey.OPTION, "no/slashes"))));
        assertEquals(0, cluster.list("overlay/").entries().size(), "refused requests changed nothing");
        h1.driver().createNetwork(network("n1", "10.91.0.0/24", Map.of(NetworkKey.OPTION, "blue",
                OverlayDriver.MTU_OPTION, "1400")));
        assertNotNull(cluster.get("overlay/networks/name=blue").orElse(null));
        var given = h1.driver().createEndpoint(new CreateEndpointRequest("n1", "ep1",
                new EndpointInterface("10.91.0.5/24", "", "02:00:00:00:00:05"), Map.of()));
        assertNull(given.endpointInterface(), "a MAC Docker gave is not answered again");
    }

    @Test
    void aRestartedDriver_restoresItsNetworksWithoutReprogramming() throws Exception {
        Host h1 = host("h1", "10.99.0.1");
        Host h2 = host("h2", "10.99.0.2");
        h1.driver().createNetwork(network("a", "10.92.0.0/24", Map.of()));
        h2.driver().createNetwork(network("b", "10.92.0.0/24", Map.of()));
        h2.driver().createEndpoint(new CreateEndpointRequest("b", "ep2", new EndpointInterface("10.92.0.3/24", "",
                ""), Map.of()));
        String vx = h1.kernel().linkList().stream().map(l -> l.attrs().name()).filter(n -> n.startsWith("vx"))
                .findFirst().orElseThrow();
        int idx = h1.kernel().linkByName(vx).attrs().index();
        await("h1 programs ep2", () -> !h1.kernel().neighList(Family.INET, idx).isEmpty());
        h1.driver().close();
        int before = h1.kernel().operations().size();
        // the local state lives in h1's own store: reopen it as the restarted plugin would
        OverlayDriver restarted = new OverlayDriver(h1.kernel(), cluster, KvStores.embedded(tmp.resolve("h1")), "h1",
                InetAddress.getByName("10.99.0.1"), 0, 1500, h1::lease, Clock.systemUTC());
        open.add(restarted);
        restarted.restore();
        List<String> after = h1.kernel().operations().subList(before, h1.kernel().operations().size());
        assertTrue(after.stream().noneMatch(op -> op.contains("neigh") || op.contains("fdb")),
                "restoring reprogrammed peers: " + after);
        assertEquals(1, h1.kernel().neighList(Family.INET, idx).size());
    }

}
