package dev.berth.ipam;

import static dev.berth.ipam.IpamFixture.any;
import static dev.berth.ipam.IpamFixture.exactly;
import static dev.berth.ipam.IpamFixture.gateway;
import static dev.berth.ipam.IpamFixture.globalPool;
import static dev.berth.ipam.IpamFixture.pool;
import static dev.berth.ipam.IpamFixture.release;
import static dev.berth.ipam.IpamFixture.releasePool;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.host.error.BadRequestException;
import dev.berth.host.error.BerthException;
import dev.berth.host.error.ConflictException;
import dev.berth.host.error.NotFoundException;
import dev.berth.kv.KeyValue;
import dev.berth.kv.KvStore;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/** The driver's behaviour on one host, over real embedded stores. */
@Tag("unit")
class BerthIpamTest {
    @TempDir
    Path tmp;
    IpamFixture fx;

    @BeforeEach
    void setUp() {
        fx = new IpamFixture(tmp);
    }

    @AfterEach
    void tearDown() {
        fx.close();
    }

    @Test
    void capabilitiesAndSpaces_areWhatDockerExpects() {
        BerthIpam ipam = fx.host("h1");
        assertEquals("BerthLocal", ipam.defaultAddressSpaces().localDefaultAddressSpace());
        assertEquals("BerthGlobal", ipam.defaultAddressSpaces().globalDefaultAddressSpace());
        assertTrue(ipam.capabilities().requiresMacAddress());
        assertFalse(ipam.capabilities().requiresRequestReplay(), "allocations are persisted: no replay needed");
    }

    @Test
    void explicitPool_handsOutGatewayThenAddressesInOrder() {
        BerthIpam ipam = fx.host("h1");
        var p = ipam.requestPool(pool("BerthLocal", "10.1.0.0/24", "", false, Map.of()));
        assertEquals("BerthLocal/10.1.0.0/24", p.poolId());
        assertEquals("10.1.0.0/24", p.pool());
        assertEquals("10.1.0.1/24", ipam.requestAddress(gateway(p.poolId())).address());
        assertEquals("10.1.0.2/24", ipam.requestAddress(any(p.poolId())).address());
        assertEquals("10.1.0.3/24", ipam.requestAddress(any(p.poolId())).address());
        assertEquals("10.1.0.9/24", ipam.requestAddress(exactly(p.poolId(), "10.1.0.9")).address());
    }

    @Test
    void releasedAddress_restsInQuarantineThenComesBackOldestFirst() {
        BerthIpam ipam = fx.host("h1");
        String id = ipam.requestPool(pool("BerthLocal", "10.1.0.0/24", "", false, Map.of())).poolId();
        String a = ipam.requestAddress(any(id)).address();
        String b = ipam.requestAddress(any(id)).address();
        ipam.releaseAddress(release(id, a));
        fx.clock.advance(Duration.ofSeconds(1));
        ipam.releaseAddress(release(id, b));
        assertEquals("10.1.0.3/24", ipam.requestAddress(any(id)).address(), "quarantined addresses wait");
        fx.clock.advance(Duration.ofSeconds(60));
        assertEquals(a, ipam.requestAddress(any(id)).address(), "then the oldest released comes first");
        assertEquals(b, ipam.requestAddress(any(id)).address());
    }

    @Test
    void badInput_getsAPreciseErrorAndChangesNothing() {
        BerthIpam ipam = fx.host("h1");
        String id = ipam.requestPool(globalPool("10.2.0.0/16")).poolId();
        ipam.requestAddress(exactly(id, "10.2.0.5"));
        KvStore cluster = fx.cluster();
        List<KeyValue> before = cluster.list("").entries();

        assertError(BadRequestException.class, "not a CIDR", () -> ipam.requestPool(globalPool("10.3.0.0")));
        assertError(BadRequestException.class, "host bits set", () -> ipam.requestPool(globalPool("10.3.0.1/16")));
        assertError(BadRequestException.class, "not an IPv4 address",
                () -> ipam.requestPool(globalPool("10.300.0.0/16")));
        assertError(ConflictException.class, "overlaps pool 10.2.0.0/16",
                () -> ipam.requestPool(globalPool("10.2.128.0/17")));
        assertError(ConflictException.class, "already used by another network on this host",
                () -> ipam.requestPool(globalPool("10.2.0.0/16")));
        assertError(BadRequestException.class, "is IPv4 but the request is for IPv6",
                () -> ipam.requestPool(pool("BerthGlobal", "10.9.0.0/16", "", true, Map.of())));
        assertError(BadRequestException.class, "not inside pool",
                () -> ipam.requestPool(pool("BerthGlobal", "10.9.0.0/16", "10.8.0.0/24", false, Map.of())));
        assertError(BadRequestException.class, "unknown address space",
                () -> ipam.requestPool(pool("Nowhere", "10.9.0.0/16", "", false, Map.of())));
        assertError(BadRequestException.class, "unknown ipam option berth.colour",
                () -> ipam.requestPool(pool("BerthGlobal", "10.9.0.0/16", "", false, Map.of("berth.colour", "x"))));
        assertError(BadRequestException.class, "berth.scope must be local or global",
                () -> ipam.requestPool(pool("BerthGlobal", "10.9.0.0/16", "", false, Map.of("berth.scope", "x"))));
        assertError(BadRequestException.class, "not in pool 10.2.0.0/16",
                () -> ipam.requestAddress(exactly(id, "10.5.0.5")));
        assertError(BadRequestException.class, "network address",
                () -> ipam.requestAddress(exactly(id, "10.2.0.0")));
        assertError(BadRequestException.class, "broadcast address",
                () -> ipam.requestAddress(exactly(id, "10.2.255.255")));
        assertError(ConflictException.class, "already in use",
                () -> ipam.requestAddress(exactly(id, "10.2.0.5")));
        assertError(NotFoundException.class, "not a PoolID",
                () -> ipam.requestAddress(any("bogus")));
        assertError(NotFoundException.class, "not held on this host",
                () -> ipam.requestAddress(any("BerthGlobal/10.7.0.0/16")));
        assertError(NotFoundException.class, "not held on this host",
                () -> ipam.releasePool(releasePool("BerthLocal/10.2.0.0/16")));
        assertError(BadRequestException.class, "not an IP address",
                () -> ipam.releaseAddress(release(id, "ten")));

        assertEquals(before, cluster.list("").entries(), "refused requests changed the store");
    }

    @Test
    void exhaustedPool_isRefusedClearly() {
        BerthIpam ipam = fx.host("h1");
        String id = ipam.requestPool(pool("BerthLocal", "10.1.0.0/29", "", false, Map.of())).poolId();
        ipam.requestAddress(gateway(id));
        for (int i = 0; i < 5; i++) {
            ipam.requestAddress(any(id));
        }
        assertError(ConflictException.class, "no free address left", () -> ipam.requestAddress(any(id)));
    }

    @Test
    void fullPool_reusesAReleasedAddressEvenInQuarantine() {
        BerthIpam ipam = fx.host("h1");
        String id = ipam.requestPool(pool("BerthLocal", "10.1.0.0/29", "", false, Map.of())).poolId();
        for (int i = 0; i < 6; i++) {
            ipam.requestAddress(any(id));
        }
        ipam.releaseAddress(release(id, "10.1.0.4"));
        assertEquals("10.1.0.4/29", ipam.requestAddress(any(id)).address());
    }

    @Test
    void subPool_limitsWhereAddressesComeFrom() {
        BerthIpam ipam = fx.host("h1");
        var p = ipam.requestPool(pool("BerthLocal", "10.1.0.0/16", "10.1.7.0/24", false, Map.of()));
        assertEquals("BerthLocal/10.1.0.0/16/10.1.7.0/24", p.poolId());
        assertEquals("10.1.0.0/16", p.pool());
        assertEquals("10.1.0.1/16", ipam.requestAddress(gateway(p.poolId())).address(), "gateway of the pool");
        assertEquals("10.1.7.0/16", ipam.requestAddress(any(p.poolId())).address(),
                "inside a /16 the sub-pool's first address is an ordinary host address");
        assertEquals("10.1.7.1/16", ipam.requestAddress(any(p.poolId())).address());
    }

    @Test
    void automaticPools_avoidPoolsAndRoutesAndDifferWhileHeld() {
        fx.defaults = "10.192.0.0/12:24,fd42:b317:5e7a::/48:64";
        // this host routes 10.192.0.0/24 already (e.g. a LAN)
        fx.writeRoutes("Iface\tDestination\tGateway\tFlags\tRefCnt\tUse\tMetric\tMask\n"
                + "eth0\t0000C00A\t00000000\t0001\t0\t0\t0\t00FFFFFF\n");
        BerthIpam ipam = fx.host("h1");
        var first = ipam.requestPool(pool("BerthGlobal", "", "", false, Map.of()));
        assertEquals("10.192.1.0/24", first.pool(), "the routed /24 is skipped");
        var second = ipam.requestPool(pool("BerthGlobal", "", "", false, Map.of()));
        assertEquals("10.192.2.0/24", second.pool(), "a held pool is not handed out again (Docker's re-request)");
        var local = ipam.requestPool(pool("BerthLocal", "", "", false, Map.of()));
        assertEquals("10.192.3.0/24", local.pool(), "local pools avoid this host's global ones");
        var v6 = ipam.requestPool(pool("BerthGlobal", "", "", true, Map.of()));
        assertEquals("fd42:b317:5e7a::/64", v6.pool());
        assertTrue(ipam.requestAddress(any(v6.poolId())).address().startsWith("fd42:b317:5e7a:"));
        ipam.releasePool(releasePool(first.poolId()));
        assertEquals("10.192.1.0/24", ipam.requestPool(pool("BerthGlobal", "", "", false, Map.of())).pool(),
                "a released pool is free again");
    }

    @Test
    void scopeOption_putsABridgeNetworkInTheGlobalSpace() {
        BerthIpam ipam = fx.host("h1");
        var p = ipam.requestPool(pool("BerthLocal", "10.4.0.0/24", "", false, Map.of("berth.scope", "global")));
        assertEquals("BerthGlobal/10.4.0.0/24", p.poolId());
    }

    @Test
    void macAddress_isKeptWithTheAllocation() {
        BerthIpam ipam = fx.host("h1");
        String id = ipam.requestPool(globalPool("10.6.0.0/24")).poolId();
        String a = ipam.requestAddress(new dev.berth.host.api.ipam.RequestAddressRequest(id, "",
                Map.of(BerthIpam.MAC_OPTION, "02:42:0a:06:00:02"))).address();
        String key = "ipam/global/addrs/10.6.0.0_24/" + a.substring(0, a.indexOf('/'));
        String rec = fx.cluster().get(key).orElseThrow().text();
        assertTrue(rec.contains("02:42:0a:06:00:02"), rec);
    }

    @Test
    void releasePool_removesEverythingOfTheLastHolder() {
        BerthIpam ipam = fx.host("h1");
        String id = ipam.requestPool(globalPool("10.6.0.0/24")).poolId();
        ipam.requestAddress(gateway(id));
        ipam.requestAddress(any(id));
        ipam.releasePool(releasePool(id));
        assertEquals(List.of(), fx.cluster().list("ipam/global/").entries());
        assertError(NotFoundException.class, "not held", () -> ipam.requestAddress(any(id)));
    }

    @Test
    void restart_keepsEveryAllocationAndTheQuarantine() {
        BerthIpam first = fx.host("h1");
        String id = first.requestPool(globalPool("10.6.0.0/24")).poolId();
        String local = first.requestPool(pool("BerthLocal", "10.7.0.0/24", "", false, Map.of())).poolId();
        String a = first.requestAddress(any(id)).address();
        String b = first.requestAddress(any(id)).address();
        String l = first.requestAddress(any(local)).address();
        first.releaseAddress(release(id, a));
        first.close();

        BerthIpam again = fx.host("h1");
        String c = again.requestAddress(any(id)).address();
        assertNotEquals(a, c, "the quarantine survives a restart");
        assertNotEquals(b, c);
        assertNotEquals(l, again.requestAddress(any(local)).address());
        assertError(ConflictException.class, "already in use",
                () -> again.requestAddress(exactly(id, b.substring(0, b.indexOf('/')))));
    }

    static void assertError(Class<? extends BerthException> type, String text, Executable call) {
        BerthException e = assertThrows(type, call);
        assertTrue(e.getMessage().contains(text), "message '" + e.getMessage() + "' lacks '" + text + "'");
    }
}
