package dev.berth.overlay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.host.ManualClock;
import dev.berth.kv.KvStore;
import dev.berth.kv.KvStores;
import dev.berth.kv.Lease;
import java.nio.file.Path;
import java.time.Duration;
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

/** The overlay's control plane over a real embedded store: identity, VNIs, endpoint claims, the peer table. */
@Tag("unit")
class ControlPlaneTest {
    @TempDir
    Path tmp;
    KvStore store;

    @BeforeEach
    void open() {
        store = KvStores.embedded(tmp.resolve("kv"));
    }

    @AfterEach
    void close() {
        store.close();
    }

    @Test
    void networkKey_comesFromTheNameOptionElseTheSubnet() {
        assertEquals("name=blue", NetworkKey.of(Map.of("berth.network", "blue"), "10.1.0.0/24").value());
        assertEquals("subnet=10.1.0.0_24", NetworkKey.of(Map.of(), "10.1.0.0/24").value());
        assertThrows(IllegalArgumentException.class, () -> NetworkKey.of(Map.of("berth.network", "a/b"), ""));
        assertThrows(IllegalArgumentException.class, () -> NetworkKey.of(Map.of(), ""));
    }

    @Test
    void oneVniPerNetwork_sharedByItsHosts_freedByTheLast() {
        VniRegistry r = new VniRegistry(store);
        NetworkKey blue = new NetworkKey("name=blue");
        NetworkKey red = new NetworkKey("name=red");
        int v1 = r.join(blue, "h1", 1);
        assertEquals(v1, r.join(blue, "h2", 2), "the second host gets the same VNI");
        assertEquals(v1, r.join(blue, "h2", 3), "joining twice is harmless");
        int v2 = r.join(red, "h1", 4);
        assertNotEquals(v1, v2);
        assertTrue(v1 >= VniRegistry.FIRST && v1 <= VniRegistry.LAST);
        assertFalse(r.leave(blue, "h1"));
        assertTrue(r.leave(blue, "h2"), "the last host out deletes the network");
        assertTrue(store.get(VniRegistry.vniKey(v1)).isEmpty(), "and frees its VNI");
        assertTrue(store.get(VniRegistry.vniKey(v2)).isPresent());
    }

    @Test
    void manyHostsCreatingOneNetworkAtOnce_agreeOnItsVni_andNoVniLeaks() throws Exception {
        VniRegistry r = new VniRegistry(store);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        for (int round = 0; round < 10; round++) {
            NetworkKey key = new NetworkKey("name=net" + round);
            List<Future<Integer>> got = new ArrayList<>();
            for (int h = 0; h < 8; h++) {
                String host = "h" + h;
                got.add(pool.submit(() -> r.join(key, host, 0)));
            }
            Set<Integer> vnis = new HashSet<>();
            for (Future<Integer> f : got) {
                vnis.add(f.get());
            }
            assertEquals(1, vnis.size(), "round " + round + ": " + vnis);
        }
        pool.shutdown();
        assertEquals(10, store.list("overlay/vnis/").entries().size(), "one VNI per network, none leaked");
    }

    @Test
    void aHostRestoringANetworkTheOthersDeleted_getsItsOwnVniBack() {
        VniRegistry r = new VniRegistry(store);
        NetworkKey blue = new NetworkKey("name=blue");
        int v = r.join(blue, "h1", 1);
        r.leave(blue, "h1");
        assertEquals(v + 7, r.join(blue, "h1", 2, v + 7), "the preferred VNI when it is free");
        r.join(new NetworkKey("name=red"), "h2", 3, v + 9);
        r.leave(blue, "h1");
        assertNotEquals(v + 9, r.join(blue, "h1", 4, v + 9), "never a VNI another network holds");
    }

    @Test
    void theSweeper_removesHoldersGoneLongerThanTheGrace_andFreesOrphanVnis() {
        ManualClock clock = new ManualClock();
        VniRegistry r = new VniRegistry(store);
        NetworkKey blue = new NetworkKey("name=blue");
        NetworkKey lone = new NetworkKey("name=lone");
        Lease alive = store.grantLease(Duration.ofSeconds(30));
        store.put(HostLease.PRESENCE + "h1", new byte[] {1}, alive);
        int vBlue = r.join(blue, "h1", 1);
        r.join(blue, "dead", 1);
        int vLone = r.join(lone, "dead", 1);
        store.create("overlay/vnis/99999", "name=gone".getBytes());
        VniSweeper sweeper = new VniSweeper(store, clock, Duration.ofMinutes(10));

        sweeper.run();
        assertEquals(Set.of("h1", "dead"), r.get(blue).orElseThrow().holders().keySet(), "within the grace");
        assertTrue(store.get("overlay/vnis/99999").isPresent(), "an orphan is freed only when seen twice");
        clock.advance(Duration.ofMinutes(11));
        sweeper.run();
        assertEquals(Set.of("h1"), r.get(blue).orElseThrow().holders().keySet(), "the dead holder removed");
        assertTrue(r.get(lone).isEmpty(), "a network whose only holder died is gone");
        assertTrue(store.get("overlay/vnis/" + vLone).isEmpty(), "and its VNI freed");
        assertTrue(store.get("overlay/vnis/" + vBlue).isPresent());
        assertTrue(store.get("overlay/vnis/99999").isEmpty(), "the orphan VNI freed");
    }

    @Test
    void anAddressHeldByAnotherHost_isRefused_andADeadHostsEndpointsGoWithItsLease() {
        EndpointClaims claims = new EndpointClaims(store);
        NetworkKey net = new NetworkKey("name=blue");
        Lease l1 = store.grantLease(Duration.ofSeconds(30));
        Lease l2 = store.grantLease(Duration.ofSeconds(30));
        claims.claim(net, new EndpointRecord("h1", "ep1", "10.99.0.1", "02:42:0a:00:00:02", "10.0.0.2", null), l1);
        EndpointClaims.AddressTaken e = assertThrows(EndpointClaims.AddressTaken.class, () -> claims.claim(net,
                new EndpointRecord("h2", "ep9", "10.99.0.2", "02:42:0a:00:00:09", "10.0.0.2", null), l2));
        assertTrue(e.getMessage().contains("10.0.0.2") && e.getMessage().contains("h1"), e.getMessage());
        claims.claim(net, new EndpointRecord("h1", "ep1", "10.99.0.1", "02:42:0a:00:00:02", "10.0.0.2", null), l1);
        claims.claim(net, new EndpointRecord("h2", "ep3", "10.99.0.2", "02:42:0a:00:00:03", "10.0.0.3", null), l2);
        assertEquals(2, store.list(EndpointClaims.prefix(net)).entries().size());
        l1.close();
        assertEquals(1, store.list(EndpointClaims.prefix(net)).entries().size(), "h1's endpoint went with its lease");
        claims.release(net, "10.0.0.3", "h2", "ep3");
        assertEquals(0, store.list(EndpointClaims.prefix(net)).entries().size());
    }

    @Test
    void peerTable_programsRemoteEndpointsOnly_andOnlyWhatChanged() {
        EndpointClaims claims = new EndpointClaims(store);
        NetworkKey net = new NetworkKey("name=blue");
        Lease l1 = store.grantLease(Duration.ofSeconds(30));
        Lease l2 = store.grantLease(Duration.ofSeconds(30));
        claims.claim(net, new EndpointRecord("h1", "ep1", "10.99.0.1", "02:00:00:00:00:01", "10.0.0.2", null), l1);
        claims.claim(net, new EndpointRecord("h2", "ep2", "10.99.0.2", "02:00:00:00:00:02", "10.0.0.3", null), l2);
        List<String> calls = new ArrayList<>();
        Dataplane dp = new Dataplane() {
            @Override
            public void addPeer(Peer p) {
                calls.add("add " + p.ipv4() + " via " + p.vtep());
            }

            @Override
            public void removePeer(Peer p) {
                calls.add("del " + p.ipv4());
            }
        };
        PeerTable table = new PeerTable(4096, "h1", dp);
        assertEquals(1, table.sync(store.list(EndpointClaims.prefix(net)).entries()));
        assertEquals(List.of("add 10.0.0.3 via 10.99.0.2"), calls);
        assertEquals(0, table.sync(store.list(EndpointClaims.prefix(net)).entries()), "nothing changed: no calls");
        PeerTable restarted = new PeerTable(4096, "h1", dp);
        restarted.adopt(new Peer(4096, "02:00:00:00:00:02", "10.0.0.3", null, "10.99.0.2"));
        assertEquals(0, restarted.sync(store.list(EndpointClaims.prefix(net)).entries()),
                "after a restart the kernel's entries are adopted, not reprogrammed");
        l2.close();
        calls.clear();
        assertEquals(1, table.sync(store.list(EndpointClaims.prefix(net)).entries()));
        assertEquals(List.of("del 10.0.0.3"), calls, "a dead host's endpoint leaves the table");
    }

    @Test
    void peerTable_appliesWatchEventsOneByOne_movesAndDeletesIncluded() {
        List<String> calls = new ArrayList<>();
        Dataplane dp = new Dataplane() {
            @Override
            public void addPeer(Peer p) {
                calls.add("add " + p.mac() + " " + p.ipv4() + " " + p.ipv6() + " via " + p.vtep());
            }

            @Override
            public void removePeer(Peer p) {
                calls.add("del " + p.mac());
            }
        };
        PeerTable table = new PeerTable(4096, "h1", dp);
        table.sync(List.of());
        String key = "overlay/endpoints/name=blue/10.0.0.3";
        table.apply(List.of(put(key, "{\"host\":\"h2\",\"endpoint\":\"ep2\",\"vtep\":\"10.99.0.2\","
                + "\"mac\":\"02:00:00:00:00:02\",\"ipv4\":\"10.0.0.3\",\"ipv6\":\"fd00::3\"}", 5)));
        table.apply(List.of(put("overlay/endpoints/name=blue/10.0.0.9", "{\"host\":\"h1\",\"endpoint\":\"own\","
                + "\"vtep\":\"10.99.0.1\",\"mac\":\"02:00:00:00:00:09\",\"ipv4\":\"10.0.0.9\"}", 6)));
        assertEquals(List.of("add 02:00:00:00:00:02 10.0.0.3 fd00:0:0:0:0:0:0:3 via 10.99.0.2"), calls,
                "a remote endpoint programmed (addresses as the kernel reports them); this host's own ignored");
        calls.clear();
        assertEquals(0, table.apply(List.of(put(key, "{\"host\":\"h2\",\"endpoint\":\"ep2\",\"vtep\":\"10.99.0.2\","
                + "\"mac\":\"02:00:00:00:00:02\",\"ipv4\":\"10.0.0.3\",\"ipv6\":\"fd00::3\"}", 7))));
        assertEquals(List.of(), calls, "the same record again changes nothing");
        table.apply(List.of(put(key, "{\"host\":\"h3\",\"endpoint\":\"ep3\",\"vtep\":\"10.99.0.3\","
                + "\"mac\":\"02:00:00:00:00:03\",\"ipv4\":\"10.0.0.3\"}", 8)));
        assertEquals(List.of("del 02:00:00:00:00:02", "add 02:00:00:00:00:03 10.0.0.3 null via 10.99.0.3"), calls,
                "the address moved to another endpoint on another host");
        calls.clear();
        table.apply(List.of(new dev.berth.kv.WatchEvent(dev.berth.kv.WatchEvent.Type.DELETE,
                new dev.berth.kv.KeyValue(key, new byte[0], 8, 9, 0), 9)));
        assertEquals(List.of("del 02:00:00:00:00:03"), calls);
        assertTrue(table.programmed().isEmpty());
    }

    private static dev.berth.kv.WatchEvent put(String key, String json, long revision) {
        return new dev.berth.kv.WatchEvent(dev.berth.kv.WatchEvent.Type.PUT,
                new dev.berth.kv.KeyValue(key, json.getBytes(), revision, revision, 0), revision);
    }
}
