package dev.berth.kv.etcd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.kv.KvException;
import dev.berth.kv.KvUnavailableException;
import dev.berth.kv.KvUrl;
import dev.berth.kv.RecordingListener;
import dev.berth.kv.Watch;
import dev.berth.kv.WatchListener;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * Time bounds and fail-over without any etcd: members that refuse connections, and one that accepts but never
 * answers (a listening socket nobody reads).
 */
@Tag("unit")
class EtcdStoreOfflineTest {
    private static final Duration TIMEOUT = Duration.ofMillis(1_000);
    private ServerSocket silent;
    private String refused;

    @BeforeEach
    void sockets() throws IOException {
        silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        int[] free = EtcdCluster.freePorts(2);
        refused = "127.0.0.1:" + free[0] + ",127.0.0.1:" + free[1];
    }

    @AfterEach
    void close() throws IOException {
        silent.close();
    }

    private EtcdStore open(String endpoints) {
        return EtcdStore.open(KvUrl.parse("etcd://" + endpoints + "/p?timeout=" + TIMEOUT.toMillis() + "ms"));
    }

    private static long millis(Executable call, Class<? extends Throwable> expected) {
        long start = System.nanoTime();
        assertThrows(expected, call);
        return (System.nanoTime() - start) / 1_000_000;
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void refusedEverywhere_failsWithinTheTimeoutNamingTheMembers() {
        try (EtcdStore store = open(refused)) {
            KvUnavailableException e = assertThrows(KvUnavailableException.class, () -> store.get("k"));
            assertTrue(e.getMessage().contains(refused.split(",")[0]) && e.getMessage().contains(refused.split(",")[1]),
                    e.getMessage());
            long took = millis(() -> store.put("k", b("v")), KvUnavailableException.class);
            assertTrue(took >= TIMEOUT.toMillis() - 50 && took < TIMEOUT.toMillis() + 300, took + " ms");
        }
    }

    @Test
    void silentMember_neverHangsACall() {
        String endpoints = "127.0.0.1:" + silent.getLocalPort() + "," + refused;
        try (EtcdStore store = open(endpoints)) {
            for (Executable call : new Executable[] {() -> store.get("k"), () -> store.put("k", b("v")),
                () -> store.list(""), () -> store.grantLease(Duration.ofSeconds(5))}) {
                long took = millis(call, KvUnavailableException.class);
                assertTrue(took < TIMEOUT.toMillis() + 300, took + " ms");
            }
        }
    }

    @Test
    void transactionToAMemberThatMayHaveReceivedIt_reportsAnUnknownOutcome() {
        try (EtcdStore store = open("127.0.0.1:" + silent.getLocalPort())) {
            long start = System.nanoTime();
            KvUnavailableException e = assertThrows(KvUnavailableException.class,
                    () -> store.compareAndSet("k", 5, b("v")));
            assertTrue((System.nanoTime() - start) / 1_000_000 < TIMEOUT.toMillis() + 300);
            assertTrue(e.getMessage().contains("outcome is unknown"), e.getMessage());
        }
    }

    @Test
    void problem_saysWhatIsWrongWithinTheTimeout() {
        String endpoints = "127.0.0.1:" + silent.getLocalPort() + "," + refused;
        try (EtcdStore store = open(endpoints)) {
            long start = System.nanoTime();
            Optional<String> p = store.problem();
            assertTrue((System.nanoTime() - start) / 1_000_000 < TIMEOUT.toMillis() + 300);
            assertTrue(p.orElseThrow().contains("connection refused"), p.get());
        }
    }

    @Test
    void watchWithNoMemberToTalkTo_resetsAfterThreeTimeouts() throws Exception {
        try (EtcdStore store = open(refused)) {
            RecordingListener rec = new RecordingListener();
            long start = System.nanoTime();
            Watch w = store.watch("w/", 10, rec);
            rec.awaitReset(TIMEOUT.multipliedBy(6));
            long took = (System.nanoTime() - start) / 1_000_000;
            assertEquals(WatchListener.ResetReason.RECONNECTED, rec.lastReset.get());
            assertTrue(took >= 3 * TIMEOUT.toMillis() && took < 5 * TIMEOUT.toMillis(), took + " ms");
            assertFalse(w.isActive());
        }
    }

    @Test
    void closedStore_refusesEveryCall() {
        EtcdStore store = open(refused);
        store.close();
        store.close();
        assertThrows(KvException.class, () -> store.get("k"));
        assertThrows(KvException.class, () -> store.watch("", 0, new RecordingListener()));
        assertThrows(KvException.class, () -> store.grantLease(Duration.ofSeconds(1)));
        assertThrows(KvException.class, store::problem);
    }

    @Test
    void badKeys_areRefusedBeforeAnyCall() {
        try (EtcdStore store = open(refused)) {
            assertThrows(IllegalArgumentException.class, () -> store.put("/abs", b("v")));
            assertThrows(IllegalArgumentException.class, () -> store.list("a//"));
            assertThrows(IllegalArgumentException.class, () -> store.compareAndSet("k", 0, b("v")));
        }
    }
}
