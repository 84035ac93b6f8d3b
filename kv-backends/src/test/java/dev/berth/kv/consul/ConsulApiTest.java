package dev.berth.kv.consul;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.kv.KvUrl;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The store URL and the requests as Consul's HTTP API spells them, without a server. */
@Tag("unit")
class ConsulApiTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static ConsulConfig config(String url) {
        return ConsulConfig.from(KvUrl.parse(url));
    }

    @Test
    void config_plainHttpWithInlineToken() {
        ConsulConfig c = config("consul://127.0.0.1:8500/berth/prod?token=s3cret&timeout=2s");
        assertEquals("http://127.0.0.1:8500", c.baseUrl());
        assertEquals("berth/prod", c.prefix());
        assertEquals("s3cret", c.token());
        assertEquals(Duration.ofSeconds(2), c.callTimeout());
        assertEquals(Map.of("X-Consul-Token", "s3cret"), ConsulHttp.headers(c));
        assertTrue(!c.toString().contains("s3cret"), "the token is not printed");
    }

    @Test
    void config_tokenFileAndTls(@TempDir Path dir) throws Exception {
        Path token = dir.resolve("token");
        Files.writeString(token, "  from-file\n");
        ConsulConfig c = config("consul://consul.local:8501/berth?token-file=" + token + "&tls=true");
        assertEquals("https://consul.local:8501", c.baseUrl());
        assertEquals("from-file", c.token());
        ConsulConfig ca = config("consul://h:8501/b?cacert=/etc/ca.pem");
        assertTrue(ca.tls(), "cacert implies TLS");
        assertEquals(Path.of("/etc/ca.pem"), ca.caCert());
        assertNull(config("consul://h:8500/b").token());
        assertEquals(Map.of(), ConsulHttp.headers(config("consul://h:8500/b")));
    }

    @Test
    void config_refusesWhatItCannotUse(@TempDir Path dir) throws Exception {
        assertThrows(IllegalArgumentException.class, () -> config("consul://a:8500,b:8500/berth"));
        assertThrows(IllegalArgumentException.class, () -> config("consul://a:8500/b?token=x&token-file=/y"));
        assertThrows(IllegalArgumentException.class, () -> config("consul://a:8500/b?token-file=/does/not/exist"));
        Path empty = dir.resolve("empty");
        Files.writeString(empty, "\n");
        assertThrows(IllegalArgumentException.class, () -> config("consul://a:8500/b?token-file=" + empty));
        assertThrows(IllegalArgumentException.class, () -> ConsulConfig.from(KvUrl.parse("zk://a:2181/b")));
    }

    @Test
    void config_logKeep() {
        assertEquals(ConsulConfig.DEFAULT_LOG_KEEP, config("consul://h:8500/b").logKeep());
        assertEquals(50, config("consul://h:8500/b?log-keep=50").logKeep());
        assertThrows(IllegalArgumentException.class, () -> config("consul://h:8500/b?log-keep=0"));
    }

    @Test
    void keys_mapUnderThePrefixAndBack() {
        ConsulLayout c = new ConsulLayout(config("consul://h:8500/berth").prefix());
        assertEquals("berth/keys/ipam/pools", c.key("ipam/pools"));
        assertEquals("berth/keys/", c.key(""));
        assertEquals("ipam/pools", c.storeKey("berth/keys/ipam/pools"));
        assertNull(c.storeKey("berthx/keys/k"), "a sibling prefix is not ours");
        assertNull(c.storeKey("berth/keys/folder/"), "Consul folders are not keys");
        ConsulLayout top = new ConsulLayout(config("consul://h:8500").prefix());
        assertEquals("keys/k", top.key("k"));
        assertEquals("a/b", top.storeKey("keys/a/b"));
    }

    @Test
    void requests_kvReadsAndBlockingQueries() {
        assertEquals("GET /v1/kv/berth/a/b", ConsulApi.get("berth/a/b").toString());
        assertEquals("GET /v1/kv/berth/p/?recurse", ConsulApi.list("berth/p/").toString());
        assertEquals("GET /v1/kv/berth/leases/?keys", ConsulApi.keys("berth/leases/").toString());
        assertEquals("/v1/kv/berth/head?index=42&wait=30s",
                ConsulApi.blockingGet("berth/head", 42, Duration.ofSeconds(30)).pathAndQuery());
        assertEquals("/v1/kv/berth/leases/?keys&index=7&wait=30s",
                ConsulApi.blockingKeys("berth/leases/", 7, Duration.ofSeconds(30)).pathAndQuery());
        assertEquals("/v1/kv/head?index=1&wait=1s",
                ConsulApi.blockingGet("head", 0, Duration.ofMillis(10)).pathAndQuery(), "index 0 is sent as 1");
        assertEquals("/v1/kv/berth/odd:key@x=1+2,3", ConsulApi.get("berth/odd:key@x=1+2,3").path());
        assertThrows(IllegalArgumentException.class, () -> ConsulApi.get("berth/a b"));
        assertThrows(IllegalArgumentException.class, () -> ConsulApi.get("berth/a?b"));
    }

    @Test
    void requests_txnBodyCarriesBase64ValuesIndexesAndSessions() throws Exception {
        byte[] binary = {0, (byte) 0xff, 10, 'x'};
        ConsulRequest r = ConsulApi.txn(List.of(
                TxnOp.checkNotExists("berth/k"),
                TxnOp.lock("berth/k", binary, "s-1"),
                TxnOp.cas("berth/n", 0, new byte[0]),
                TxnOp.deleteCas("berth/d", 9),
                TxnOp.get("berth/g")));
        assertEquals("PUT", r.method());
        assertEquals("/v1/txn", r.pathAndQuery());
        JsonNode ops = JSON.readTree(r.body());
        assertEquals(5, ops.size());
        JsonNode check = ops.get(0).get("KV");
        assertEquals("check-not-exists", check.get("Verb").asText());
        assertTrue(!check.has("Index") && !check.has("Value") && !check.has("Session"));
        JsonNode unlock = ops.get(1).get("KV");
        assertEquals("lock", unlock.get("Verb").asText());
        assertEquals("berth/k", unlock.get("Key").asText());
        assertEquals(Base64.getEncoder().encodeToString(binary), unlock.get("Value").asText());
        assertEquals("s-1", unlock.get("Session").asText());
        JsonNode cas = ops.get(2).get("KV");
        assertEquals(0, cas.get("Index").asLong(), "cas with index 0 is sent: create only if absent");
        assertEquals("", cas.get("Value").asText());
        assertEquals(9, ops.get(3).get("KV").get("Index").asLong());
        assertTrue(!ops.get(4).get("KV").has("Index"));
        assertThrows(IllegalArgumentException.class, () -> ConsulApi.txn(List.of()));
    }

    @Test
    void requests_sessions() throws Exception {
        ConsulRequest create = ConsulApi.createSession("berth", Duration.ofSeconds(15));
        assertEquals("PUT /v1/session/create", create.toString());
        JsonNode body = JSON.readTree(create.body());
        assertEquals("15s", body.get("TTL").asText());
        assertEquals("delete", body.get("Behavior").asText());
        assertEquals("0s", body.get("LockDelay").asText());
        String id = "adf4238a-882b-9ddc-4a9d-5b6758e4159e";
        assertEquals("PUT /v1/session/renew/" + id, ConsulApi.renewSession(id).toString());
        assertEquals("PUT /v1/session/destroy/" + id, ConsulApi.destroySession(id).toString());
        assertThrows(IllegalArgumentException.class, () -> ConsulApi.destroySession("../../kv"));
        assertEquals("GET /v1/status/leader", ConsulApi.leader().toString());
    }

    @Test
    void leases_ttlIsRaisedToConsulsMinimumAndWholeSeconds() {
        assertEquals(Duration.ofSeconds(10), ConsulLease.effectiveTtl(Duration.ofSeconds(2)));
        assertEquals(Duration.ofSeconds(16), ConsulLease.effectiveTtl(Duration.ofMillis(15_100)));
        assertEquals(Duration.ofHours(24), ConsulLease.effectiveTtl(Duration.ofDays(3)));
    }

    @Test
    void body_isNotSharedWithTheCaller() {
        byte[] v = "v".getBytes(StandardCharsets.UTF_8);
        TxnOp op = TxnOp.set("k", v);
        v[0] = 'x';
        assertEquals("v", new String(op.value(), StandardCharsets.UTF_8));
    }
}
