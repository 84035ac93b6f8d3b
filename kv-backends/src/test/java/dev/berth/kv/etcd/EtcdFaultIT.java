package dev.berth.kv.etcd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.berth.kv.KvUnavailableException;
import dev.berth.kv.Lease;
import dev.berth.kv.RecordingListener;
import dev.berth.kv.WatchEvent;
import dev.berth.kv.WatchListener;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.function.Executable;

/**
 * A real three-member etcd cluster on loopback, with members killed (SIGKILL) and restarted under load. Each test has
 * its own cluster, so it is the only writer and every revision from its start on is one of its own writes.
 */
@Tag("integration")
class EtcdFaultIT {
    private EtcdCluster etcd;
    private final List<EtcdStore> stores = new ArrayList<>();

    @BeforeEach
    void startCluster() {
        etcd = EtcdCluster.start(3);
    }

    @AfterEach
    void stopCluster() {
        stores.forEach(EtcdStore::close);
        etcd.close();
    }

    private EtcdStore client(String params) {
        EtcdStore s = EtcdStore.open(etcd.url("fault", params));
        stores.add(s);
        return s;
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    @Timeout(120)
    void killOneMember_writersWatchAndLeaseCarryOnWithoutErrors() throws Exception {
        EtcdStore store = client("");
        Lease lease = store.grantLease(Duration.ofSeconds(3));
        store.put("a/leased", b("mine"), lease);
        RecordingListener rec = new RecordingListener();
        long start = store.list("a/").revision();
        EtcdWatch watch = (EtcdWatch) store.watch("a/", start, rec);
        List<Long> written = new ArrayList<>();
        AtomicBoolean stop = new AtomicBoolean();
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<Integer> writer = pool.submit(() -> {
                int i = 0;
                while (!stop.get()) {
                    written.add(store.put("a/w", b(Integer.toString(i++))));
                }
                return i;
            });
            EtcdCluster.sleep(1_500);
            int victim = awaitStreaming(watch);
            etcd.kill(victim);
            EtcdCluster.sleep(4_000);
            stop.set(true);
            int count = writer.get(30, TimeUnit.SECONDS);
            assertTrue(count > 100, "writes went on: " + count);

            long end = store.list("a/").revision();
            rec.awaitEvents((int) (end - start), Duration.ofSeconds(20));
            List<WatchEvent> ev = rec.events();
            assertContiguous(ev, start, end);
            assertTrue(ev.stream().map(WatchEvent::revision).toList().containsAll(written), "saw every write");
            assertValuesInOrder(ev, "a/w", count);
            assertEquals(0, rec.resets.get());
            assertNull(rec.error.get());
            assertTrue(watch.isActive());
            assertTrue(watch.currentEndpoint() != victim, "the watch moved to another member");
            assertTrue(lease.isAlive());
            assertTrue(store.get("a/leased").isPresent(), "the leased key outlived the member");
        } finally {
            stop.set(true);
            pool.shutdownNow();
        }
    }

    @Test
    @Timeout(180)
    void killTwoMembers_callsFailWithinTheTimeoutAndRecoverWhenTheyReturn() throws Exception {
        Duration timeout = Duration.ofSeconds(2);
        EtcdStore store = client("timeout=2s");
        RecordingListener rec = new RecordingListener();
        store.watch("b/", store.list("b/").revision(), rec);
        List<Long> written = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            written.add(store.put("b/k" + (i % 3), b("before-" + i)));
        }
        etcd.kill(1);
        etcd.kill(2);

        long bound = timeout.toMillis() + 500;
        for (Executable call : new Executable[] {() -> store.put("b/x", b("v")), () -> store.get("b/k0"),
            () -> store.list("b/"), () -> store.create("b/new", b("v")), () -> store.delete("b/k1"),
            () -> store.compareAndSet("b/k0", written.get(0), b("v")), () -> store.grantLease(Duration.ofSeconds(5))}) {
            long start = System.nanoTime();
            KvUnavailableException e = assertThrows(KvUnavailableException.class, call);
            long took = (System.nanoTime() - start) / 1_000_000;
            assertTrue(took <= bound, "failed after " + took + " ms, bound " + bound + ": " + e.getMessage());
            assertTrue(e.getMessage().contains("etcd"), e.getMessage());
        }
        long start = System.nanoTime();
        Optional<String> problem = store.problem();
        assertTrue(problem.isPresent());
        assertTrue((System.nanoTime() - start) / 1_000_000 <= bound);

        etcd.restart(1);
        etcd.restart(2);
        etcd.awaitHealthy(Duration.ofSeconds(30));
        long recovered = retryUntil(Duration.ofSeconds(20), () -> store.put("b/after", b("0")));
        written.add(recovered);
        for (int i = 1; i < 20; i++) {
            written.add(store.put("b/after", b(Integer.toString(i))));
        }
        assertEquals(Optional.empty(), store.problem());
        assertEquals("before-19", store.get("b/k" + (19 % 3)).orElseThrow().text());

        // the watch either bridged the outage with no gap, or said plainly that it could not
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (rec.resets.get() == 0 && rec.events().size() < written.size() && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertNull(rec.error.get());
        List<Long> seen = rec.events().stream().map(WatchEvent::revision).toList();
        if (rec.resets.get() == 0) {
            assertTrue(seen.containsAll(written), "no gap: saw " + seen.size() + " of " + written.size());
        } else {
            assertEquals(WatchListener.ResetReason.RECONNECTED, rec.lastReset.get());
            assertEquals(written.subList(0, Math.min(seen.size(), written.size())), seen, "in order up to the reset");
        }
    }

    @Test
    @Timeout(240)
    void watchUnderChurn_everyWatcherSeesEveryChangeAcrossAForcedReconnect() throws Exception {
        int writers = 10;
        int perWriter = 10_000;
        List<EtcdStore> clients = List.of(client(""), client(""), client(""));
        long startRevision = clients.get(0).list("c/").revision();
        RecordingListener[] watchers = {new RecordingListener(), new RecordingListener()};
        EtcdWatch streamed = (EtcdWatch) clients.get(0).watch("c/", startRevision, watchers[0]);
        clients.get(1).watch("c/", startRevision, watchers[1]);
        AtomicInteger done = new AtomicInteger();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        long started = System.nanoTime();
        try {
            List<Future<?>> fs = new ArrayList<>();
            for (int t = 0; t < writers; t++) {
                int id = t;
                EtcdStore c = clients.get(t % clients.size());
                fs.add(pool.submit(() -> {
                    try {
                        for (int i = 0; i < perWriter; i++) {
                            c.put("c/w" + id, b(Integer.toString(i)));
                            done.incrementAndGet();
                        }
                    } catch (RuntimeException e) {
                        failure.compareAndSet(null, e);
                        throw e;
                    }
                }));
            }
            while (done.get() < writers * perWriter / 3 && failure.get() == null) {
                Thread.sleep(20);
            }
            int victim = awaitStreaming(streamed);
            etcd.kill(victim);
            Thread.sleep(2_000);
            etcd.restart(victim);
            for (Future<?> f : fs) {
                f.get(200, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertNull(failure.get(), "no writer failed");
        long endRevision = clients.get(2).list("c/").revision();
        long total = endRevision - startRevision;
        assertTrue(total >= (long) writers * perWriter, total + " revisions");
        for (RecordingListener w : watchers) {
            w.awaitEvents((int) total, Duration.ofSeconds(60));
            List<WatchEvent> ev = w.events();
            assertEquals(0, w.resets.get());
            assertContiguous(ev, startRevision, endRevision);
            for (int t = 0; t < writers; t++) {
                assertValuesInOrder(ev, "c/w" + t, perWriter);
            }
        }
        System.out.printf("churn: %d puts (%d revisions) in %d ms with one member killed and restarted%n",
                writers * perWriter, total, (System.nanoTime() - started) / 1_000_000);
    }

    @Test
    @Timeout(90)
    void lease_ofAKilledProcessEndsWithinItsTtl_andABrieflyStalledOneKeepsIt() throws Exception {
        EtcdStore store = client("");
        long ttl = 3;

        Process dying = holder("d/dying", ttl, "dying");
        try {
            assertTrue(store.get("d/dying").isPresent());
            dying.destroyForcibly();
            long killed = System.nanoTime();
            dying.waitFor(10, TimeUnit.SECONDS);
            while (store.get("d/dying").isPresent()) {
                assertTrue(System.nanoTime() - killed < TimeUnit.SECONDS.toNanos(ttl + 2),
                        "the dead process's key is gone within the TTL + 2 s");
                Thread.sleep(50);
            }
            System.out.printf("lease: key gone %d ms after kill -9 (TTL %d s)%n",
                    (System.nanoTime() - killed) / 1_000_000, ttl);
        } finally {
            dying.destroyForcibly();
        }

        Process stalled = holder("d/stalled", ttl, "stalled");
        try {
            signal("STOP", stalled.pid());
            long stopped = System.nanoTime();
            while (System.nanoTime() - stopped < TimeUnit.MILLISECONDS.toNanos(1_500)) {
                assertTrue(store.get("d/stalled").isPresent(), "kept while stalled");
                Thread.sleep(100);
            }
            signal("CONT", stalled.pid());
            long resumed = System.nanoTime();
            while (System.nanoTime() - resumed < TimeUnit.SECONDS.toNanos(2 * ttl)) {
                assertTrue(store.get("d/stalled").isPresent(), "kept after a stall shorter than the TTL");
                Thread.sleep(100);
            }
            assertTrue(stalled.isAlive());
        } finally {
            signal("CONT", stalled.pid());
            stalled.destroyForcibly();
        }
    }

    /** Starts {@link LeaseHolderMain} in its own JVM and waits for its "ready". */
    private Process holder(String key, long ttl, String name) throws IOException {
        Path log = Path.of("target", "lease-holder-" + name + ".log");
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), LeaseHolderMain.class.getName(),
                "etcd://" + etcd.endpoints() + "/fault", key,
                Long.toString(ttl)).redirectError(ProcessBuilder.Redirect.to(log.toFile()));
        Process p = pb.start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        ExecutorService reader = Executors.newSingleThreadExecutor();
        try {
            String line = reader.submit(out::readLine).get(30, TimeUnit.SECONDS);
            if (line == null || !line.startsWith("ready ")) {
                p.destroyForcibly();
                fail("lease holder did not start (" + line + "), see " + log.toAbsolutePath());
            }
            return p;
        } catch (Exception e) {
            p.destroyForcibly();
            throw new AssertionError("lease holder did not start, see " + log.toAbsolutePath(), e);
        } finally {
            reader.shutdownNow();
        }
    }

    private static void signal(String sig, long pid) throws IOException, InterruptedException {
        Process k = new ProcessBuilder("kill", "-" + sig, Long.toString(pid)).start();
        k.waitFor(5, TimeUnit.SECONDS);
    }

    /** The member a watch streams from, once it has one. */
    private int awaitStreaming(EtcdWatch w) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (w.currentEndpoint() < 0) {
            assertTrue(System.nanoTime() < deadline, "the watch never connected");
            EtcdCluster.sleep(10);
        }
        return w.currentEndpoint();
    }

    private static <T> T retryUntil(Duration limit, Supplier<T> call) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (true) {
            try {
                return call.get();
            } catch (KvUnavailableException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(200);
            }
        }
    }

    /** This test is the cluster's only writer, one key per revision: the watch must see every revision, in order. */
    private static void assertContiguous(List<WatchEvent> ev, long start, long end) {
        assertEquals(end - start, ev.size(), "events from revision " + start + " to " + end);
        for (int i = 0; i < ev.size(); i++) {
            assertEquals(start + 1 + i, ev.get(i).revision(), "revision at " + i + ": in order, none lost");
        }
    }

    /** The values a writer put, in order; a put resent after a member died may show twice in a row, never more. */
    private static void assertValuesInOrder(List<WatchEvent> ev, String key, int count) {
        List<String> seen = ev.stream().filter(e -> e.key().equals(key)).map(e -> e.entry().text()).toList();
        List<String> collapsed = new ArrayList<>();
        for (String v : seen) {
            if (collapsed.isEmpty() || !collapsed.get(collapsed.size() - 1).equals(v)) {
                collapsed.add(v);
            }
        }
        assertEquals(count, collapsed.size(), key + ": " + seen.size() + " events");
        for (int i = 0; i < count; i++) {
            assertEquals(Integer.toString(i), collapsed.get(i), key + " value " + i);
        }
        if (seen.size() != count) {
            System.out.printf("%s: %d puts resent after a member died%n", key, seen.size() - count);
        }
    }
}
