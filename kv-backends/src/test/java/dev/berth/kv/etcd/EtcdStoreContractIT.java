package dev.berth.kv.etcd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.kv.KvException;
import dev.berth.kv.KvStore;
import dev.berth.kv.KvStoreContract;
import dev.berth.kv.Lease;
import dev.berth.kv.Listing;
import dev.berth.kv.RecordingListener;
import dev.berth.kv.Watch;
import dev.berth.kv.WatchEvent;
import dev.berth.kv.WatchListener;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The store contract against one real etcd member, every test on a fresh prefix; then what is etcd's own. */
@Tag("integration")
class EtcdStoreContractIT extends KvStoreContract {
    private static EtcdCluster etcd;
    private String prefix;

    @BeforeAll
    static void startEtcd() {
        etcd = EtcdCluster.start(1);
    }

    @AfterAll
    static void stopEtcd() {
        if (etcd != null) {
            etcd.close();
        }
    }

    @Override
    protected KvStore open() {
        prefix = "contract-" + UUID.randomUUID().toString().substring(0, 8);
        return EtcdStore.open(etcd.url(prefix));
    }

    @Override
    protected KvStore openAnotherClient() {
        return EtcdStore.open(etcd.url(prefix));
    }

    @Override
    protected void abandon(KvStore client) {
        ((EtcdStore) client).abandonForTest();
    }

    // ---- etcd specifics beyond the contract

    @Test
    void watch_fromACompactedRevisionResetsPlainly() throws Exception {
        long first = store.put("old/a", b("1"));
        long last = store.put("old/a", b("2"));
        etcd.etcdctl("compact", Long.toString(last));
        RecordingListener rec = new RecordingListener();
        Watch w = store.watch("old/", first - 1, rec);
        rec.awaitReset(Duration.ofSeconds(10));
        assertEquals(WatchListener.ResetReason.COMPACTED, rec.lastReset.get());
        assertEquals(0, rec.events().size());
        assertNull(rec.error.get());
        assertFalse(w.isActive());
        // from the listing's revision it works again
        RecordingListener again = new RecordingListener();
        try (Watch w2 = store.watch("old/", store.list("old/").revision(), again)) {
            store.put("old/a", b("3"));
            again.awaitEvents(1, Duration.ofSeconds(10));
            assertTrue(w2.isActive());
        }
    }

    @Test
    void list_pagesThroughMoreKeysThanOnePageAtOneRevision() throws Exception {
        int n = 2_345;
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> fs = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int id = t;
                fs.add(pool.submit(() -> {
                    for (int i = id; i < n; i += 8) {
                        store.put(String.format("many/k%05d", i), b(Integer.toString(i)));
                    }
                }));
            }
            for (Future<?> f : fs) {
                f.get(120, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        long before = store.put("many-not/x", b("outside"));
        Listing l = store.list("many/");
        assertEquals(n, l.entries().size());
        for (int i = 0; i < n; i++) {
            assertEquals(String.format("many/k%05d", i), l.entries().get(i).key());
        }
        assertTrue(l.revision() >= before);
        assertTrue(l.entries().stream().allMatch(e -> e.modRevision() <= l.revision()));
    }

    @Test
    void watch_listenerThatThrowsEndsTheWatchThroughOnError() throws Exception {
        AtomicReference<KvException> error = new AtomicReference<>();
        CountDownLatch ended = new CountDownLatch(1);
        Watch w = store.watch("boom/", store.list("boom/").revision(), new WatchListener() {
            @Override
            public void onEvents(List<WatchEvent> events) {
                throw new IllegalStateException("listener bug");
            }

            @Override
            public void onReset(ResetReason reason) {
                ended.countDown();
            }

            @Override
            public void onError(KvException e) {
                error.set(e);
                ended.countDown();
            }
        });
        store.put("boom/x", b("1"));
        assertTrue(ended.await(10, TimeUnit.SECONDS));
        assertTrue(error.get().getCause() instanceof IllegalStateException, String.valueOf(error.get()));
        assertFalse(w.isActive());
    }

    @Test
    void leaseBoundPut_withAnEndedLeaseIsRefused() {
        Lease lease = store.grantLease(Duration.ofSeconds(5));
        lease.close();
        KvException e = assertThrows(KvException.class, () -> store.put("gone", b("x"), lease));
        assertTrue(e.getMessage().contains("lease not found"), e.getMessage());
    }
}
