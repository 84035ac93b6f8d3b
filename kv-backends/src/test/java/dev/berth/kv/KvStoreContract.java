package dev.berth.kv;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link KvStore} backend must show. A backend's test extends this class and says how to open a
 * store on a fresh, isolated namespace ({@link #open()}) and a second, independent client on the same namespace
 * ({@link #openAnother()}), against a real server.
 */
public abstract class KvStoreContract {
    protected KvStore store;
    private final List<KvStore> others = new ArrayList<>();

    /** A store on a namespace no other test uses (a fresh prefix, directory or server). */
    protected abstract KvStore open();

    /** A second, independent client (own connection, own process state) on the same namespace as {@link #open()}. */
    protected abstract KvStore openAnotherClient();

    /** How long a lease granted with {@code ttl} may take to expire after its client stopped keeping it alive. */
    protected Duration expiryGrace(Duration ttl) {
        return ttl.multipliedBy(3).plusSeconds(2);
    }

    protected final KvStore another() {
        KvStore s = openAnotherClient();
        others.add(s);
        return s;
    }

    @BeforeEach
    void openStore() {
        store = open();
    }

    @AfterEach
    void closeStores() {
        others.forEach(KvStore::close);
        store.close();
    }

    protected static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void get_missingKeyIsEmpty() {
        assertEquals(Optional.empty(), store.get("nope"));
    }

    @Test
    void put_storesAndRevisionsGrow() {
        long r1 = store.put("a/k", b("one"));
        KeyValue v1 = store.get("a/k").orElseThrow();
        assertEquals("one", v1.text());
        assertEquals(r1, v1.modRevision());
        assertEquals(r1, v1.createRevision());
        long r2 = store.put("a/k", b("two"));
        assertTrue(r2 > r1, r2 + " > " + r1);
        KeyValue v2 = store.get("a/k").orElseThrow();
        assertEquals("two", v2.text());
        assertEquals(r1, v2.createRevision());
        assertEquals(r2, v2.modRevision());
        assertEquals("a/k", v2.key());
    }

    @Test
    void values_areBinarySafe() {
        byte[] all = new byte[256];
        for (int i = 0; i < all.length; i++) {
            all[i] = (byte) i;
        }
        store.put("bin", all);
        assertArrayEquals(all, store.get("bin").orElseThrow().value());
        store.put("empty", new byte[0]);
        assertEquals(0, store.get("empty").orElseThrow().value().length);
    }

    @Test
    void create_onlyWhenAbsent() {
        Optional<Long> first = store.create("c", b("first"));
        assertTrue(first.isPresent());
        assertEquals(Optional.empty(), store.create("c", b("second")));
        assertEquals("first", store.get("c").orElseThrow().text());
    }

    @Test
    void compareAndSet_onRevision() {
        long r = store.put("cas", b("v1"));
        Optional<Long> next = store.compareAndSet("cas", r, b("v2"));
        assertTrue(next.isPresent());
        assertEquals(Optional.empty(), store.compareAndSet("cas", r, b("stale")));
        assertEquals("v2", store.get("cas").orElseThrow().text());
        assertEquals(Optional.empty(), store.compareAndSet("missing", r, b("x")));
        assertEquals(Optional.empty(), store.get("missing"));
    }

    @Test
    void compareAndSet_keepsTheKeysLease() throws Exception {
        Lease lease = store.grantLease(Duration.ofSeconds(5));
        long r = store.put("leased/cas", b("v1"), lease);
        long next = store.compareAndSet("leased/cas", r, b("v2")).orElseThrow();
        KeyValue kv = store.get("leased/cas").orElseThrow();
        assertEquals(next, kv.modRevision());
        assertEquals(lease.id(), kv.leaseId());
        lease.close();
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (store.get("leased/cas").isPresent() && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertEquals(Optional.empty(), store.get("leased/cas"), "the key went with its lease");
    }

    @Test
    void compareAndDelete_onRevision() {
        long r = store.put("cad", b("v1"));
        store.put("cad", b("v2"));
        assertFalse(store.compareAndDelete("cad", r));
        long current = store.get("cad").orElseThrow().modRevision();
        assertTrue(store.compareAndDelete("cad", current));
        assertEquals(Optional.empty(), store.get("cad"));
        assertFalse(store.compareAndDelete("cad", current));
    }

    @Test
    void delete_saysWhetherTheKeyExisted() {
        store.put("d", b("x"));
        assertTrue(store.delete("d"));
        assertFalse(store.delete("d"));
        assertEquals(Optional.empty(), store.get("d"));
    }

    @Test
    void list_isSortedScopedAndCarriesItsRevision() {
        store.put("p/b", b("2"));
        store.put("p/a", b("1"));
        long last = store.put("p/c/deep", b("3"));
        store.put("pq", b("other"));
        store.put("q/x", b("other"));
        Listing l = store.list("p/");
        assertEquals(List.of("p/a", "p/b", "p/c/deep"), l.entries().stream().map(KeyValue::key).toList());
        assertTrue(l.revision() >= last, l.revision() + " >= " + last);
        assertEquals(5, store.list("").entries().size());
        assertEquals(0, store.list("nothing/").entries().size());
    }

    @Test
    void keys_areValidated() {
        for (String bad : new String[] {"", "/abs", "a//b", "a/../b", "trailing/", "sp ace", "a/./b"}) {
            assertThrows(IllegalArgumentException.class, () -> store.put(bad, b("x")), bad);
        }
    }

    @Test
    void watch_fromAListingDeliversEveryLaterChangeInOrder() throws Exception {
        store.put("w/existing", b("0"));
        Listing l = store.list("w/");
        // written between the list and the watch: must still arrive
        long gap = store.put("w/gap", b("1"));
        RecordingListener rec = new RecordingListener();
        try (Watch w = store.watch("w/", l.revision(), rec)) {
            store.put("other/x", b("not mine"));
            store.put("w/existing", b("2"));
            store.delete("w/gap");
            rec.awaitEvents(3, Duration.ofSeconds(10));
            List<WatchEvent> ev = rec.events();
            assertEquals(List.of("w/gap", "w/existing", "w/gap"), ev.stream().map(WatchEvent::key).toList());
            assertEquals(List.of(WatchEvent.Type.PUT, WatchEvent.Type.PUT, WatchEvent.Type.DELETE),
                    ev.stream().map(WatchEvent::type).toList());
            assertEquals(gap, ev.get(0).revision());
            assertEquals("1", ev.get(0).entry().text());
            assertEquals("2", ev.get(1).entry().text());
            for (int i = 1; i < ev.size(); i++) {
                assertTrue(ev.get(i).revision() > ev.get(i - 1).revision());
            }
            assertTrue(w.isActive());
        }
        assertEquals(0, rec.resets.get());
    }

    @Test
    void watch_seesWritesOfAnotherClient() throws Exception {
        KvStore other = another();
        RecordingListener rec = new RecordingListener();
        try (Watch w = store.watch("x/", store.list("x/").revision(), rec)) {
            other.put("x/1", b("from-other"));
            rec.awaitEvents(1, Duration.ofSeconds(10));
            assertEquals("from-other", rec.events().get(0).entry().text());
        }
    }

    @Test
    void watch_closeStopsDeliveries() throws Exception {
        RecordingListener rec = new RecordingListener();
        Watch w = store.watch("s/", store.list("s/").revision(), rec);
        store.put("s/1", b("1"));
        rec.awaitEvents(1, Duration.ofSeconds(10));
        w.close();
        assertFalse(w.isActive());
        store.put("s/2", b("2"));
        Thread.sleep(500);
        assertEquals(1, rec.events().size());
    }

    @Test
    void lease_keysLiveWithTheLeaseAndGoWhenItIsRevoked() throws Exception {
        Lease lease = store.grantLease(Duration.ofSeconds(5));
        assertTrue(lease.isAlive());
        store.put("l/a", b("a"), lease);
        assertTrue(store.create("l/b", b("b"), lease).isPresent());
        store.put("l/plain", b("p"));
        assertEquals(lease.id(), store.get("l/a").orElseThrow().leaseId());
        RecordingListener rec = new RecordingListener();
        try (Watch w = store.watch("l/", store.list("l/").revision(), rec)) {
            lease.close();
            assertFalse(lease.isAlive());
            rec.awaitEvents(2, Duration.ofSeconds(10));
            assertEquals(List.of("l/a", "l/b"), rec.events().stream().map(WatchEvent::key).sorted().toList());
            assertTrue(rec.events().stream().allMatch(e -> e.type() == WatchEvent.Type.DELETE));
        }
        assertEquals(Optional.empty(), store.get("l/a"));
        assertEquals(List.of("l/plain"), store.list("l/").entries().stream().map(KeyValue::key).toList());
    }

    @Test
    void lease_isKeptAliveBeyondItsTtl() throws Exception {
        Lease lease = store.grantLease(Duration.ofSeconds(2));
        store.put("alive/k", b("v"), lease);
        Thread.sleep(5_000);
        assertTrue(lease.isAlive());
        assertTrue(store.get("alive/k").isPresent());
        lease.close();
    }

    @Test
    void lease_ofAClientThatStopsKeepingItAliveExpires() throws Exception {
        KvStore other = another();
        Duration ttl = Duration.ofSeconds(2);
        Lease lease = other.grantLease(ttl);
        other.put("dead/k", b("v"), lease);
        assertTrue(store.get("dead/k").isPresent());
        abandon(other);
        long deadline = System.nanoTime() + expiryGrace(ttl).toNanos();
        while (store.get("dead/k").isPresent() && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertEquals(Optional.empty(), store.get("dead/k"), "the dead client's key is gone within the TTL");
    }

    /**
     * Makes a client behave as if its process died: it stops keeping its leases alive without revoking them. The
     * fault tests do the real thing (kill -9 of a separate JVM).
     */
    protected abstract void abandon(KvStore client);

    @Test
    void compareAndSet_underContentionLosesNoUpdate() throws Exception {
        store.put("counter", b("0"));
        int threads = 4;
        int perThread = 50;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        AtomicInteger conflicts = new AtomicInteger();
        try {
            List<Future<?>> fs = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                KvStore client = t % 2 == 0 ? store : another();
                fs.add(pool.submit(() -> {
                    for (int i = 0; i < perThread; i++) {
                        while (true) {
                            KeyValue cur = client.get("counter").orElseThrow();
                            int n = Integer.parseInt(cur.text());
                            if (client.compareAndSet("counter", cur.modRevision(), b(Integer.toString(n + 1)))
                                    .isPresent()) {
                                break;
                            }
                            conflicts.incrementAndGet();
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : fs) {
                f.get(120, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(Integer.toString(threads * perThread), store.get("counter").orElseThrow().text());
    }

    @Test
    void watch_underChurnSeesEveryChangeInOrder() throws Exception {
        int writers = 4;
        int perWriter = 250;
        RecordingListener rec = new RecordingListener();
        try (Watch w = store.watch("churn/", store.list("churn/").revision(), rec)) {
            ExecutorService pool = Executors.newFixedThreadPool(writers);
            try {
                List<Future<?>> fs = new ArrayList<>();
                for (int t = 0; t < writers; t++) {
                    int id = t;
                    KvStore client = t % 2 == 0 ? store : another();
                    fs.add(pool.submit(() -> {
                        for (int i = 0; i < perWriter; i++) {
                            client.put("churn/w" + id, b(Integer.toString(i)));
                        }
                        return null;
                    }));
                }
                for (Future<?> f : fs) {
                    f.get(120, TimeUnit.SECONDS);
                }
            } finally {
                pool.shutdownNow();
            }
            rec.awaitEvents(writers * perWriter, Duration.ofSeconds(60));
            List<WatchEvent> ev = rec.events();
            assertEquals(writers * perWriter, ev.size());
            for (int i = 1; i < ev.size(); i++) {
                assertTrue(ev.get(i).revision() > ev.get(i - 1).revision(), "revision order at " + i);
            }
            for (int t = 0; t < writers; t++) {
                String key = "churn/w" + t;
                List<String> seen = ev.stream().filter(e -> e.key().equals(key)).map(e -> e.entry().text()).toList();
                assertEquals(perWriter, seen.size(), key);
                for (int i = 0; i < perWriter; i++) {
                    assertEquals(Integer.toString(i), seen.get(i), key + " update " + i);
                }
            }
        }
    }

    @Test
    void problem_isEmptyWhenHealthy() {
        assertEquals(Optional.empty(), store.problem());
    }

    @Test
    void closedStore_refusesCalls() {
        KvStore other = another();
        other.close();
        assertThrows(KvException.class, () -> other.get("x"));
    }
}
