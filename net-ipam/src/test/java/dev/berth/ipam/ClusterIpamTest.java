package dev.berth.ipam;

import static dev.berth.ipam.BerthIpamTest.assertError;
import static dev.berth.ipam.IpamFixture.any;
import static dev.berth.ipam.IpamFixture.exactly;
import static dev.berth.ipam.IpamFixture.gateway;
import static dev.berth.ipam.IpamFixture.globalPool;
import static dev.berth.ipam.IpamFixture.pool;
import static dev.berth.ipam.IpamFixture.release;
import static dev.berth.ipam.IpamFixture.releasePool;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.host.error.ConflictException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Several hosts (drivers with their own host IDs) sharing one cluster store: the global space. */
@Tag("unit")
class ClusterIpamTest {
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
    void sameSubnetOnSeveralHosts_isOneSharedPoolWithOneGateway() {
        BerthIpam h1 = fx.host("h1");
        BerthIpam h2 = fx.host("h2");
        var p1 = h1.requestPool(globalPool("10.8.0.0/16"));
        var p2 = h2.requestPool(globalPool("10.8.0.0/16"));
        assertEquals(p1.poolId(), p2.poolId(), "the PoolID is the same on every host");
        assertEquals("10.8.0.1/16", h1.requestAddress(gateway(p1.poolId())).address());
        assertEquals("10.8.0.1/16", h2.requestAddress(gateway(p2.poolId())).address(), "the gateway is shared");
        h1.requestAddress(exactly(p1.poolId(), "10.8.0.50"));
        assertError(ConflictException.class, "held by host " + fx.hostId("h1"),
                () -> h2.requestAddress(exactly(p2.poolId(), "10.8.0.50")));
        assertError(ConflictException.class, "overlaps pool 10.8.0.0/16",
                () -> h2.requestPool(globalPool("10.8.1.0/24")));
    }

    @Test
    void concurrentAllocationsFromManyHosts_areAllDistinct() throws Exception {
        List<BerthIpam> hosts = List.of(fx.host("h1"), fx.host("h2"), fx.host("h3"));
        String id = null;
        for (BerthIpam h : hosts) {
            id = h.requestPool(globalPool("10.9.0.0/22")).poolId();
        }
        String poolId = id;
        ExecutorService pool = Executors.newFixedThreadPool(12);
        List<Future<List<String>>> futures = new ArrayList<>();
        for (int t = 0; t < 12; t++) {
            BerthIpam h = hosts.get(t % 3);
            futures.add(pool.submit(() -> {
                List<String> got = new ArrayList<>();
                for (int i = 0; i < 80; i++) {
                    got.add(h.requestAddress(any(poolId)).address());
                }
                return got;
            }));
        }
        List<String> all = new ArrayList<>();
        for (Future<List<String>> f : futures) {
            all.addAll(f.get());
        }
        pool.shutdown();
        assertEquals(960, all.size());
        assertEquals(960, new HashSet<>(all).size(), "duplicates handed out");
        long stored = fx.cluster().list("ipam/global/addrs/10.9.0.0_22/").entries().size();
        assertEquals(960, stored);
    }

    @Test
    void aFullSharedPool_isExhaustedOnlyWhenTheClusterHasNoAddressLeft() {
        BerthIpam h1 = fx.host("h1");
        BerthIpam h2 = fx.host("h2");
        String id = h1.requestPool(globalPool("10.10.0.0/28")).poolId();
        h2.requestPool(globalPool("10.10.0.0/28"));
        Set<String> got = new HashSet<>();
        for (int i = 0; i < 7; i++) {
            got.add(h1.requestAddress(any(id)).address());
            got.add(h2.requestAddress(any(id)).address());
        }
        assertEquals(14, got.size());
        assertError(ConflictException.class, "no free address left", () -> h1.requestAddress(any(id)));
        String mine = got.iterator().next();
        BerthIpam holder = fx.cluster().get("ipam/global/addrs/10.10.0.0_28/" + mine.split("/")[0]).orElseThrow()
                .text().contains(fx.hostId("h1")) ? h1 : h2;
        BerthIpam other = holder == h1 ? h2 : h1;
        holder.releaseAddress(release(id, mine));
        assertEquals(mine, other.requestAddress(any(id)).address(),
                "the other host finds the address released elsewhere once its own picture is used up");
    }

    @Test
    void quarantine_holdsAcrossHosts() {
        BerthIpam h1 = fx.host("h1");
        BerthIpam h2 = fx.host("h2");
        String id = h1.requestPool(globalPool("10.11.0.0/29")).poolId();
        h2.requestPool(globalPool("10.11.0.0/29"));
        List<String> got = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            got.add(h1.requestAddress(any(id)).address());
        }
        h1.releaseAddress(release(id, got.get(0)));
        String fresh = h2.requestAddress(any(id)).address();
        assertFalse(got.contains(fresh), "h2 got " + fresh + ", which h1 released a moment ago, while "
                + "never-used addresses were left");
    }

    @Test
    void releasePool_byOneHostKeepsTheOthersAddresses() {
        BerthIpam h1 = fx.host("h1");
        BerthIpam h2 = fx.host("h2");
        String id = h1.requestPool(globalPool("10.12.0.0/24")).poolId();
        h2.requestPool(globalPool("10.12.0.0/24"));
        h1.requestAddress(gateway(id));
        h2.requestAddress(gateway(id));
        String a1 = h1.requestAddress(any(id)).address();
        String a2 = h2.requestAddress(any(id)).address();
        h1.releasePool(releasePool(id));
        var cluster = fx.cluster();
        assertTrue(cluster.get("ipam/global/addrs/10.12.0.0_24/" + a2.split("/")[0]).orElseThrow().text()
                .contains("\"held\""));
        assertTrue(cluster.get("ipam/global/addrs/10.12.0.0_24/" + a1.split("/")[0]).orElseThrow().text()
                .contains("\"released\""));
        String gw = cluster.get("ipam/global/addrs/10.12.0.0_24/10.12.0.1").orElseThrow().text();
        assertTrue(gw.contains(fx.hostId("h2")) && !gw.contains(fx.hostId("h1")), gw);
        h2.releasePool(releasePool(id));
        assertEquals(List.of(), cluster.list("ipam/global/").entries());
    }

    @Test
    void concurrentPoolRequests_forOverlappingSubnetsLeaveOnlyOne() throws Exception {
        List<BerthIpam> hosts = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            hosts.add(fx.host("h" + i));
        }
        for (int round = 0; round < 10; round++) {
            String net = "10." + (20 + round) + ".";
            String big = net + "0.0/16";
            String small = "10." + (20 + round) + ".5.0/24";
            ExecutorService pool = Executors.newFixedThreadPool(4);
            List<Future<String>> results = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                BerthIpam h = hosts.get(i);
                String cidr = i % 2 == 0 ? big : small;
                results.add(pool.submit(() -> {
                    try {
                        return h.requestPool(globalPool(cidr)).pool();
                    } catch (ConflictException e) {
                        return "refused";
                    }
                }));
            }
            Set<String> won = new HashSet<>();
            for (Future<String> f : results) {
                won.add(f.get());
            }
            pool.shutdown();
            won.remove("refused");
            assertEquals(1, won.size(), "round " + round + ": both overlapping pools exist: " + won);
            assertEquals(1, fx.cluster().list("ipam/global/pools/").entries().stream()
                    .filter(kv -> kv.text().contains(net)).count());
        }
    }

    @Test
    void subPoolsOfOneSharedPool_handOutFromEachHostsOwnRange() {
        BerthIpam h1 = fx.host("h1");
        BerthIpam h2 = fx.host("h2");
        var p1 = h1.requestPool(pool("BerthGlobal", "10.13.0.0/16", "10.13.1.0/24", false, Map.of()));
        var p2 = h2.requestPool(pool("BerthGlobal", "10.13.0.0/16", "10.13.2.0/24", false, Map.of()));
        assertTrue(h1.requestAddress(any(p1.poolId())).address().startsWith("10.13.1."));
        assertTrue(h2.requestAddress(any(p2.poolId())).address().startsWith("10.13.2."));
    }
}
