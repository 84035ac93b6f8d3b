package dev.berth.kv.etcd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.kv.KvException;
import dev.berth.kv.KvUnavailableException;
import dev.berth.kv.Lease;
import dev.berth.kv.RecordingListener;
import dev.berth.kv.Watch;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** TLS with client certificates, and user/password auth with token renewal, against a real etcd member. */
@Tag("integration")
class EtcdSecurityIT {
    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void tls_withClientCertificate_servesEveryKindOfCall(@TempDir Path dir) throws Exception {
        TestPki.Material pki = TestPki.create(dir, "EC");
        try (EtcdCluster etcd = EtcdCluster.start(1, new EtcdCluster.Options(0, pki))) {
            String tls = "cacert=" + pki.caCert() + "&cert=" + pki.clientCert() + "&key=" + pki.clientKey();
            try (EtcdStore store = EtcdStore.open(etcd.url("tls", tls))) {
                assertEquals(Optional.empty(), store.problem());
                RecordingListener rec = new RecordingListener();
                try (Watch w = store.watch("t/", store.list("t/").revision(), rec);
                     Lease lease = store.grantLease(Duration.ofSeconds(5))) {
                    long r = store.put("t/a", b("1"), lease);
                    assertTrue(store.compareAndSet("t/a", r, b("2")).isPresent());
                    assertEquals("2", store.get("t/a").orElseThrow().text());
                    rec.awaitEvents(2, Duration.ofSeconds(10));
                    assertTrue(w.isActive());
                }
            }
            String noClientCert = "cacert=" + pki.caCert() + "&timeout=1s";
            try (EtcdStore store = EtcdStore.open(etcd.url("tls", noClientCert))) {
                KvUnavailableException e = assertThrows(KvUnavailableException.class, () -> store.get("t/a"));
                assertTrue(e.getMessage().contains("127.0.0.1"), e.getMessage());
            }
            String untrusted = "tls=true&timeout=1s&cert=" + pki.clientCert() + "&key=" + pki.clientKey();
            try (EtcdStore store = EtcdStore.open(etcd.url("tls", untrusted))) {
                KvUnavailableException e = assertThrows(KvUnavailableException.class, () -> store.get("t/a"));
                assertTrue(e.getMessage().contains("SSL") || e.getMessage().contains("certification"),
                        e.getMessage());
            }
        }
    }

    @Test
    void auth_userPassword_andAnExpiredTokenIsRenewed() throws Exception {
        try (EtcdCluster etcd = EtcdCluster.start(1, new EtcdCluster.Options(2, null))) {
            etcd.etcdctl("user", "add", "root:rootpw");
            etcd.etcdctl("user", "add", "bob:bobpw");
            etcd.etcdctl("role", "add", "berth");
            etcd.etcdctl("role", "grant-permission", "berth", "--prefix=true", "readwrite", "sec/");
            etcd.etcdctl("user", "grant-role", "bob", "berth");
            etcd.etcdctl("auth", "enable");

            try (EtcdStore store = EtcdStore.open(etcd.url("sec", "user=bob&password=bobpw"))) {
                RecordingListener rec = new RecordingListener();
                Watch w = store.watch("", store.list("").revision(), rec);
                Lease lease = store.grantLease(Duration.ofSeconds(5));
                store.put("k", b("1"), lease);
                assertTrue(store.create("c", b("x")).isPresent());
                Thread.sleep(3_500); // the simple token lives 2 s
                assertEquals("1", store.get("k").orElseThrow().text());
                store.put("k", b("2"));
                rec.awaitEvents(3, Duration.ofSeconds(10));
                assertTrue(w.isActive());
                assertTrue(lease.isAlive(), "keep-alives renewed the token too");
                assertEquals(Optional.empty(), store.problem());
            }
            try (EtcdStore wrong = EtcdStore.open(etcd.url("sec", "user=bob&password=nope"))) {
                KvException e = assertThrows(KvException.class, () -> wrong.get("k"));
                assertTrue(e.getMessage().contains("refused authentication"), e.getMessage());
            }
            try (EtcdStore anonymous = EtcdStore.open(etcd.url("sec"))) {
                KvException e = assertThrows(KvException.class, () -> anonymous.get("k"));
                assertTrue(e.getMessage().contains("requires authentication"), e.getMessage());
            }
            try (EtcdStore outside = EtcdStore.open(etcd.url("other", "user=bob&password=bobpw"))) {
                KvException e = assertThrows(KvException.class, () -> outside.put("k", b("v")));
                assertTrue(e.getMessage().contains("permission denied"), e.getMessage());
            }
        }
    }
}
