package dev.berth.ipam;

import static dev.berth.ipam.IpamFixture.any;
import static dev.berth.ipam.IpamFixture.gateway;
import static dev.berth.ipam.IpamFixture.globalPool;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.kv.KvStore;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reconciliation against a scripted Docker: orphans, lost records, unused pools, dead hosts. */
@Tag("unit")
class ReconcilerTest {
    @TempDir
    Path tmp;
    IpamFixture fx;
    volatile Optional<List<DockerView.NetworkUse>> dockerSays = Optional.of(List.of());
    final DockerView docker = () -> dockerSays;

    @BeforeEach
    void setUp() {
        fx = new IpamFixture(tmp);
    }

    @AfterEach
    void tearDown() {
        fx.close();
    }

    private static DockerView.NetworkUse use(String pool, String gateway, String... addresses) {
        return new DockerView.NetworkUse("net", Space.GLOBAL, Cidr.parse(pool), null,
                gateway == null ? null : Cidr.parseAddress(gateway),
                java.util.Arrays.stream(addresses).map(Cidr::parseAddress).toList());
    }

    private static String ip(String cidr) {
        return cidr.substring(0, cidr.indexOf('/'));
    }

    private String record(String key) {
        return fx.cluster().get(key).map(kv -> kv.text()).orElse("(none)");
    }

    @Test
    void anAllocationNoEndpointUses_isReleasedOnlyAfterTheGrace() {
        BerthIpam ipam = fx.host("h1", docker);
        String id = ipam.requestPool(globalPool("10.30.0.0/24")).poolId();
        ipam.requestAddress(gateway(id));
        String used = ip(ipam.requestAddress(any(id)).address());
        String orphan = ip(ipam.requestAddress(any(id)).address());
        dockerSays = Optional.of(List.of(use("10.30.0.0/24", "10.30.0.1", used)));

        assertEquals(0, ipam.reconcile().released(), "inside the grace an endpoint may still be on its way");
        fx.clock.advance(Duration.ofSeconds(121));
        assertEquals(1, ipam.reconcile().released());
        assertTrue(record("ipam/global/addrs/10.30.0.0_24/" + orphan).contains("\"released\""));
        assertTrue(record("ipam/global/addrs/10.30.0.0_24/" + used).contains("\"held\""));
        assertTrue(record("ipam/global/addrs/10.30.0.0_24/10.30.0.1").contains("\"held\""), "the gateway stays");
    }

    @Test
    void aGatewayDockerDoesNotShow_staysWhileTheNetworkExists() {
        BerthIpam ipam = fx.host("h1", docker);
        String id = ipam.requestPool(globalPool("10.36.0.0/24")).poolId();
        ipam.requestAddress(gateway(id));
        dockerSays = Optional.of(List.of(use("10.36.0.0/24", null)));
        fx.clock.advance(Duration.ofHours(1));
        assertEquals(0, ipam.reconcile().released());
        assertTrue(record("ipam/global/addrs/10.36.0.0_24/10.36.0.1").contains("\"held\""));
    }

    @Test
    void withoutAnAnswerFromDocker_nothingIsReclaimed() {
        BerthIpam ipam = fx.host("h1", docker);
        String id = ipam.requestPool(globalPool("10.31.0.0/24")).poolId();
        String a = ip(ipam.requestAddress(any(id)).address());
        dockerSays = Optional.empty();
        fx.clock.advance(Duration.ofHours(2));
        assertEquals(new Reconciler.Report(0, 0, 0, 0, 0, 0), ipam.reconcile());
        assertTrue(record("ipam/global/addrs/10.31.0.0_24/" + a).contains("\"held\""));
    }

    @Test
    void anAddressDockerUsesButTheStoreLost_isClaimedAgain() {
        BerthIpam ipam = fx.host("h1", docker);
        String id = ipam.requestPool(globalPool("10.32.0.0/24")).poolId();
        String a = ip(ipam.requestAddress(any(id)).address());
        KvStore cluster = fx.cluster();
        cluster.delete("ipam/global/addrs/10.32.0.0_24/" + a);
        dockerSays = Optional.of(List.of(use("10.32.0.0/24", null, a)));
        assertEquals(1, ipam.reconcile().reclaimed());
        assertTrue(record("ipam/global/addrs/10.32.0.0_24/" + a).contains(fx.hostId("h1")));
    }

    @Test
    void aPoolNoNetworkUses_isReleasedAfterTheGrace_andAUsedPoolTheStoreLostIsHeldAgain() {
        BerthIpam ipam = fx.host("h1", docker);
        ipam.requestPool(globalPool("10.33.0.0/24"));
        dockerSays = Optional.of(List.of());
        assertEquals(0, ipam.reconcile().poolsReleased());
        fx.clock.advance(Duration.ofSeconds(121));
        assertEquals(1, ipam.reconcile().poolsReleased());
        assertEquals(List.of(), fx.cluster().list("ipam/global/").entries());

        dockerSays = Optional.of(List.of(use("10.34.0.0/24", "10.34.0.1", "10.34.0.7")));
        Reconciler.Report r = ipam.reconcile();
        assertEquals(1, r.poolsRejoined());
        assertEquals(2, r.reclaimed(), "the endpoint and the gateway are claimed again");
        assertTrue(record("ipam/global/pools/10.34.0.0_24").contains(fx.hostId("h1")));
    }

    @Test
    void aDeadHostsHolds_areReclaimedAfterTheDeadHostGrace() {
        BerthIpam h1 = fx.host("h1", DockerView.NONE);
        BerthIpam h2 = fx.host("h2", DockerView.NONE);
        String id = h1.requestPool(globalPool("10.35.0.0/24")).poolId();
        h2.requestPool(globalPool("10.35.0.0/24"));
        h1.requestAddress(gateway(id));
        h2.requestAddress(gateway(id));
        String a2 = ip(h2.requestAddress(any(id)).address());
        h1.reconcile();
        h2.reconcile();
        assertEquals(2, fx.cluster().list("ipam/hosts/").entries().size(), "both hosts announce themselves");

        h2.close(); // the host dies: its presence goes with its lease
        assertEquals(0, h1.reconcile().deadHolds(), "not before the grace");
        fx.clock.advance(Duration.ofSeconds(601));
        assertTrue(h1.reconcile().deadHolds() > 0);
        assertTrue(record("ipam/global/addrs/10.35.0.0_24/" + a2).contains("\"released\""));
        String pool = record("ipam/global/pools/10.35.0.0_24");
        assertFalse(pool.contains(fx.hostId("h2")), pool);
        String gw = record("ipam/global/addrs/10.35.0.0_24/10.35.0.1");
        assertFalse(gw.contains(fx.hostId("h2")), gw);
        assertTrue(gw.contains(fx.hostId("h1")), gw);
    }
}
