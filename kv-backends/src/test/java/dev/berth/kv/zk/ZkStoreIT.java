package dev.berth.kv.zk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.kv.KeyValue;
import dev.berth.kv.KvException;
import dev.berth.kv.KvUnavailableException;
import dev.berth.kv.Lease;
import dev.berth.kv.Listing;
import dev.berth.kv.RecordingListener;
import dev.berth.kv.Watch;
import dev.berth.kv.WatchEvent;
import dev.berth.kv.WatchListener;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** What the ZooKeeper store promises beyond the contract: the trimmed log, exact listings, ACLs, key shapes. */
@Tag("integration")
class ZkStoreIT {
    private static final AtomicInteger PREFIXES = new AtomicInteger();
    private static TestingServer server;

    @BeforeAll
    static void startServer() {
        server = ZkTestServers.single();
    }

    @AfterAll
    static void stopServer() {
        ZkTestServers.close(server);
    }

    private static String freshPrefix() {
        return "berth/it-" + PREFIXES.incrementAndGet();
    }

    private static ZkStore open(String prefix, String params) {
        return ZkStore.open(ZkTestServers.url(server.getConnectString(), prefix, params));
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void watch_fromBeforeTheTrimmedLogIsResetCompacted() throws Exception {
        try (ZkStore store = open(freshPrefix(), "log-keep=10")) {
            for (int i = 0; i < 60; i++) {
                store.put("t/k", b(Integer.toString(i)));
            }
            RecordingListener old = new RecordingListener();
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (old.resets.get() == 0 && System.nanoTime() < deadline) {
                old = new RecordingListener();
                try (Watch w = store.watch("t/", 0, old)) {
                    Thread.sleep(200);
                }
            }
            assertEquals(WatchListener.ResetReason.COMPACTED, old.lastReset.get(), "a watch from revision 0");
            // a watch from the current revision still works
            RecordingListener fresh = new RecordingListener();
            try (Watch w = store.watch("t/", store.list("t/").revision(), fresh)) {
                store.put("t/k", b("after"));
                fresh.awaitEvents(1, Duration.ofSeconds(10));
                assertEquals("after", fresh.events().get(0).entry().text());
            }
            assertEquals(0, fresh.resets.get());
        }
    }

    @Test
    void list_duringChurnIsExactlyTheStoreAtItsRevision() throws Exception {
        String prefix = freshPrefix();
        try (ZkStore store = open(prefix, ""); ZkStore writerClient = open(prefix, "")) {
            RecordingListener all = new RecordingListener();
            List<Listing> listings = new ArrayList<>();
            int writes = 600;
            try (Watch w = store.watch("c/", store.list("c/").revision(), all)) {
                Thread writer = new Thread(() -> {
                    ThreadLocalRandom r = ThreadLocalRandom.current();
                    for (int i = 0; i < writes; i++) {
                        String key = "c/k" + r.nextInt(8) + (r.nextBoolean() ? "/deep" : "");
                        if (r.nextInt(4) == 0) {
                            writerClient.delete(key);
                        } else {
                            writerClient.put(key, b("v" + i));
                        }
                    }
                });
                writer.start();
                while (writer.isAlive()) {
                    listings.add(store.list("c/"));
                }
                writer.join();
                long last = store.list("c/").revision();
                all.awaitEvents((int) Math.min(writes, 1), Duration.ofSeconds(10));
                long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
                while ((all.events().isEmpty() || all.events().get(all.events().size() - 1).revision() < last)
                        && System.nanoTime() < deadline) {
                    Thread.sleep(50);
                }
            }
            assertTrue(listings.size() > 3, "listed " + listings.size() + " times during the churn");
            List<WatchEvent> events = all.events();
            for (Listing l : listings) {
                Map<String, KeyValue> expected = new HashMap<>();
                for (WatchEvent e : events) {
                    if (e.revision() > l.revision()) {
                        break;
                    }
                    if (e.type() == WatchEvent.Type.PUT) {
                        expected.put(e.key(), e.entry());
                    } else {
                        expected.remove(e.key());
                    }
                }
                Map<String, KeyValue> actual = new HashMap<>();
                l.entries().forEach(kv -> actual.put(kv.key(), kv));
                assertEquals(expected, actual, "listing at revision " + l.revision());
            }
        }
    }

    @Test
    void digest_otherCredentialsAreRefusedAndTheOwnerGetsIn() {
        String prefix = freshPrefix();
        try (ZkStore alice = open(prefix, "digest=alice:secret")) {
            alice.put("private", b("x"));
            KvException e = assertThrows(KvException.class, () -> open(prefix, "digest=mallory:guess").close());
            assertTrue(e.getMessage().contains("not authorized"), e.getMessage());
            assertThrows(KvException.class, () -> open(prefix, "").close());
            try (ZkStore again = open(prefix, "digest=alice:secret")) {
                assertEquals("x", again.get("private").orElseThrow().text());
            }
        }
    }

    @Test
    void keys_canBeBothAValueAndAParent() {
        try (ZkStore store = open(freshPrefix(), "")) {
            store.put("a", b("parent"));
            store.put("a/b", b("child"));
            store.put("a/b/c", b("grandchild"));
            assertEquals(List.of("a", "a/b", "a/b/c"), keys(store.list("")));
            assertEquals(List.of("a/b", "a/b/c"), keys(store.list("a/")));
            assertTrue(store.delete("a/b"));
            assertEquals(List.of("a", "a/b/c"), keys(store.list("a")));
            assertTrue(store.delete("a/b/c"));
            assertTrue(store.delete("a"));
            assertEquals(List.of(), keys(store.list("")));
            assertTrue(store.create("a/b", b("again")).isPresent());
            assertEquals("again", store.get("a/b").orElseThrow().text());
        }
    }

    @Test
    void lease_rebindingAndCasKeepTheRightOwner() throws Exception {
        try (ZkStore store = open(freshPrefix(), "")) {
            Lease one = store.grantLease(Duration.ofSeconds(5));
            Lease two = store.grantLease(Duration.ofSeconds(5));
            store.put("l/moved", b("1"), one);
            store.put("l/moved", b("2"), two);
            store.put("l/freed", b("1"), one);
            store.put("l/freed", b("2"));
            long r = store.put("l/cas", b("1"), one);
            store.compareAndSet("l/cas", r, b("2")).orElseThrow();
            assertEquals(one.id(), store.get("l/cas").orElseThrow().leaseId());
            one.close();
            assertEquals(List.of("l/freed", "l/moved"), keys(store.list("l/")));
            assertEquals(0, store.get("l/freed").orElseThrow().leaseId());
            assertThrows(KvException.class, () -> store.put("l/late", b("x"), one));
            two.close();
            assertEquals(List.of("l/freed"), keys(store.list("l/")));
        }
    }

    @Test
    void outage_callsFailWithinTheTimeoutAndEverythingRecovers() throws Exception {
        try (TestingServer own = ZkTestServers.single();
             ZkStore store = ZkStore.open(ZkTestServers.url(own.getConnectString(), "berth/outage", "timeout=1s"))) {
            Lease lease = store.grantLease(Duration.ofSeconds(6));
            store.put("o/leased", b("l"), lease);
            RecordingListener rec = new RecordingListener();
            try (Watch w = store.watch("o/", store.list("o/").revision(), rec)) {
                store.put("o/1", b("1"));
                own.stop();
                long start = System.nanoTime();
                assertThrows(KvUnavailableException.class, () -> store.get("o/1"));
                long tookMs = (System.nanoTime() - start) / 1_000_000;
                assertTrue(tookMs < 2_000, "failed after " + tookMs + " ms, timeout 1 s");
                assertTrue(store.problem().isPresent());
                Thread.sleep(1_500);
                own.restart();
                long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
                while (store.problem().isPresent() && System.nanoTime() < deadline) {
                    Thread.sleep(100);
                }
                assertEquals(Optional.empty(), store.problem());
                store.put("o/2", b("2"));
                rec.awaitEvents(2, Duration.ofSeconds(10));
                assertEquals(List.of("o/1", "o/2"), rec.events().stream().map(WatchEvent::key).toList());
                assertEquals(0, rec.resets.get(), "the log bridges the outage");
                assertTrue(w.isActive());
            }
            assertTrue(lease.isAlive(), "an outage shorter than the TTL keeps the lease");
            assertTrue(store.get("o/leased").isPresent());
        }
    }

    @Test
    void values_largerThanZooKeeperTakesAreRefused() {
        try (ZkStore store = open(freshPrefix(), "")) {
            assertThrows(IllegalArgumentException.class, () -> store.put("big", new byte[ZkWriter.MAX_VALUE + 1]));
            store.put("big", new byte[ZkWriter.MAX_VALUE]);
            assertEquals(ZkWriter.MAX_VALUE, store.get("big").orElseThrow().value().length);
        }
    }

    @Test
    void closedLease_cannotBindKeys() {
        try (ZkStore store = open(freshPrefix(), "")) {
            Lease lease = store.grantLease(Duration.ofSeconds(3));
            lease.close();
            assertFalse(lease.isAlive());
            KvException e = assertThrows(KvException.class, () -> store.put("k", b("v"), lease));
            assertTrue(e.getMessage().contains("ended"), e.getMessage());
            try (ZkStore other = open(freshPrefix(), "")) {
                assertThrows(IllegalArgumentException.class, () -> other.put("k", b("v"), lease));
            }
        }
    }

    private static List<String> keys(Listing l) {
        return l.entries().stream().map(KeyValue::key).toList();
    }
}
