package dev.berth.kv.etcd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.kv.KeyValue;
import dev.berth.kv.KvException;
import dev.berth.kv.WatchEvent;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The gateway codec on messages as etcd 3.4.23 sends them (captured with curl), no server. */
@Tag("unit")
class EtcdJsonTest {
    private final EtcdJson json = new EtcdJson("berth");
    private final EtcdJson bare = new EtcdJson("");

    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void keys_areBase64UnderThePrefix() {
        assertEquals(b64("berth/ipam/pools/a"), json.range("ipam/pools/a").path("key").asText());
        assertEquals(b64("ipam"), bare.range("ipam").path("key").asText());
        assertEquals("ipam/pools/a", json.relative(b("berth/ipam/pools/a")));
        assertEquals("x", bare.relative(b("x")));
    }

    @Test
    void relative_refusesAKeyOutsideThePrefix() {
        assertThrows(KvException.class, () -> json.relative(b("other/x")));
    }

    @Test
    void prefixEnd_incrementsTheLastByteBelow0xff() {
        assertArrayEquals(b("p0"), EtcdJson.prefixEnd(b("p/")));
        assertArrayEquals(new byte[] {0x62}, EtcdJson.prefixEnd(new byte[] {0x61, (byte) 0xff}));
        assertArrayEquals(new byte[] {0x01, 0x03}, EtcdJson.prefixEnd(new byte[] {0x01, 0x02, (byte) 0xff}));
        assertArrayEquals(new byte[] {0}, EtcdJson.prefixEnd(new byte[] {(byte) 0xff, (byte) 0xff}));
        assertArrayEquals(new byte[] {0}, EtcdJson.prefixEnd(new byte[0]));
    }

    @Test
    void ranges_coverThePrefixOnly() {
        assertArrayEquals(b("berth/"), json.rangeStart(""));
        assertArrayEquals(b("berth0"), json.rangeEnd(""));
        assertArrayEquals(b("berth/p/"), json.rangeStart("p/"));
        assertArrayEquals(b("berth/p0"), json.rangeEnd("p/"));
        // no prefix and everything: etcd's "\0" .. "\0", the whole keyspace
        assertArrayEquals(new byte[] {0}, bare.rangeStart(""));
        assertArrayEquals(new byte[] {0}, bare.rangeEnd(""));
    }

    @Test
    void rangePage_pinsTheRevisionAfterTheFirstPage() {
        JsonNode first = json.rangePage("p/", json.rangeStart("p/"), 0, 1000);
        assertEquals("1000", first.path("limit").asText());
        assertFalse(first.has("revision"));
        JsonNode next = json.rangePage("p/", b("berth/p/k\0"), 42, 1000);
        assertEquals("42", next.path("revision").asText());
        assertEquals(b64("berth/p0"), next.path("range_end").asText());
    }

    @Test
    void put_carriesTheLeaseOnlyWhenThereIsOne() {
        JsonNode plain = json.put("k", new byte[] {0, (byte) 0xff}, 0);
        assertEquals(Base64.getEncoder().encodeToString(new byte[] {0, (byte) 0xff}), plain.path("value").asText());
        assertFalse(plain.has("lease"));
        assertEquals("7587869", json.put("k", b("v"), 7587869).path("lease").asText());
    }

    @Test
    void transactions_compareTheRightRevision() {
        JsonNode create = json.createIfAbsent("k", b("v"), 5);
        JsonNode c = create.path("compare").get(0);
        assertEquals("CREATE", c.path("target").asText());
        assertEquals("0", c.path("create_revision").asText());
        assertEquals("EQUAL", c.path("result").asText());
        assertEquals("5", create.path("success").get(0).path("request_put").path("lease").asText());

        JsonNode cas = json.compareAndSet("k", 17, b("v"));
        assertEquals("MOD", cas.path("compare").get(0).path("target").asText());
        assertEquals("17", cas.path("compare").get(0).path("mod_revision").asText());
        JsonNode casPut = cas.path("success").get(0).path("request_put");
        assertTrue(casPut.path("ignore_lease").asBoolean(), "CAS keeps the key's lease");
        assertFalse(casPut.has("lease"));

        JsonNode cad = json.compareAndDelete("k", 17);
        assertEquals(b64("berth/k"), cad.path("success").get(0).path("request_delete_range").path("key").asText());
    }

    @Test
    void watchCreate_startsAfterTheGivenRevision() {
        JsonNode c = json.watchCreate("w/", 43).path("create_request");
        assertEquals(b64("berth/w/"), c.path("key").asText());
        assertEquals(b64("berth/w0"), c.path("range_end").asText());
        assertEquals("43", c.path("start_revision").asText());
    }

    @Test
    void rangeResponse_givesRelativeEntries() {
        JsonNode r = EtcdJson.parse("{\"header\":{\"cluster_id\":\"324952591200643719\",\"member_id\":"
                + "\"3319814642761637952\",\"revision\":\"9\",\"raft_term\":\"2\"},\"kvs\":[{\"key\":\""
                + b64("berth/a") + "\",\"create_revision\":\"2\",\"mod_revision\":\"8\",\"version\":\"3\",\"value\":\""
                + b64("one") + "\",\"lease\":\"2324035580903909640\"},{\"key\":\"" + b64("berth/b")
                + "\",\"create_revision\":\"5\",\"mod_revision\":\"5\",\"version\":\"1\"}],\"more\":true,"
                + "\"count\":\"3\"}");
        assertEquals(9, EtcdJson.revision(r));
        assertTrue(EtcdJson.more(r));
        List<KeyValue> kvs = json.kvs(r);
        assertEquals(new KeyValue("a", b("one"), 2, 8, 2324035580903909640L), kvs.get(0));
        assertEquals(new KeyValue("b", new byte[0], 5, 5, 0), kvs.get(1));
        assertArrayEquals(b("berth/b"), EtcdJson.lastKey(r));
        JsonNode empty = EtcdJson.parse("{\"header\":{\"revision\":\"2\"}}");
        assertTrue(json.first(empty).isEmpty());
        assertFalse(EtcdJson.more(empty));
    }

    @Test
    void txnAndDeleteResponses_defaultToZeroWhenLeftOut() {
        assertFalse(EtcdJson.succeeded(EtcdJson.parse("{\"header\":{\"revision\":\"2\"}}")));
        JsonNode ok = EtcdJson.parse("{\"header\":{\"revision\":\"3\"},\"succeeded\":true,\"responses\":"
                + "[{\"response_delete_range\":{\"header\":{\"revision\":\"3\"},\"deleted\":\"1\"}}]}");
        assertTrue(EtcdJson.succeeded(ok));
        assertEquals(1, EtcdJson.txnDeleted(ok));
        assertEquals(0, EtcdJson.deleted(EtcdJson.parse("{\"header\":{\"revision\":\"4\"}}")));
    }

    @Test
    void watchLines_created_events_andProgress() {
        EtcdJson.WatchMessage created = json.watchLine("{\"result\":{\"header\":{\"cluster_id\":\"1\",\"member_id\":"
                + "\"2\",\"revision\":\"4\",\"raft_term\":\"2\"},\"created\":true}}");
        assertTrue(created.created());
        assertFalse(created.canceled());
        assertTrue(created.events().isEmpty());

        EtcdJson.WatchMessage m = json.watchLine("{\"result\":{\"header\":{\"revision\":\"4\"},\"events\":[{\"kv\":"
                + "{\"key\":\"" + b64("berth/w/x") + "\",\"create_revision\":\"3\",\"mod_revision\":\"3\",\"version\":"
                + "\"1\",\"value\":\"" + b64("bar") + "\"}},{\"type\":\"DELETE\",\"kv\":{\"key\":\"" + b64("berth/w/x")
                + "\",\"mod_revision\":\"4\"}}]}}");
        assertEquals(2, m.events().size());
        WatchEvent put = m.events().get(0);
        assertEquals(WatchEvent.Type.PUT, put.type());
        assertEquals("w/x", put.key());
        assertEquals("bar", put.entry().text());
        assertEquals(3, put.revision());
        WatchEvent del = m.events().get(1);
        assertEquals(WatchEvent.Type.DELETE, del.type());
        assertEquals(4, del.revision());
        assertEquals(0, del.entry().value().length);
        assertNull(m.error());
    }

    @Test
    void watchLines_compactionCancels() {
        EtcdJson.WatchMessage m = json.watchLine("{\"result\":{\"header\":{\"cluster_id\":\"1\",\"member_id\":\"2\","
                + "\"raft_term\":\"2\"},\"canceled\":true,\"compact_revision\":\"3\"}}");
        assertTrue(m.canceled());
        assertTrue(m.compacted());
        assertEquals(3, m.compactRevision());
        EtcdJson.WatchMessage byReason = json.watchLine("{\"result\":{\"canceled\":true,\"cancel_reason\":"
                + "\"mvcc: required revision has been compacted\"}}");
        assertTrue(byReason.compacted());
    }

    @Test
    void watchLines_otherCancelsAndStreamErrorsAreNotCompaction() {
        EtcdJson.WatchMessage auth = json.watchLine("{\"result\":{\"header\":{\"revision\":\"5\"},\"watch_id\":\"-1\","
                + "\"created\":true,\"canceled\":true,\"cancel_reason\":\"rpc error: code = InvalidArgument desc = "
                + "etcdserver: user name is empty\"}}");
        assertTrue(auth.canceled());
        assertFalse(auth.compacted());
        assertTrue(auth.cancelReason().contains("user name is empty"));

        EtcdJson.WatchMessage err = json.watchLine("{\"error\":{\"grpc_code\":14,\"http_code\":503,\"message\":"
                + "\"etcdserver: no leader\",\"http_status\":\"Service Unavailable\"}}");
        assertEquals(14, err.error().code());
        assertTrue(err.error().retryable());
        assertTrue(err.error().notApplied());
    }

    @Test
    void unaryErrors_carryCodeAndMessage() {
        EtcdServerException e = EtcdJson.error(EtcdJson.parse("{\"error\":\"etcdserver: requested lease not found\","
                + "\"message\":\"etcdserver: requested lease not found\",\"code\":5}")).orElseThrow();
        assertEquals(5, e.code());
        assertTrue(e.leaseNotFound());
        assertFalse(e.retryable());
        EtcdServerException token = EtcdJson.error(EtcdJson.parse("{\"error\":\"etcdserver: invalid auth token\","
                + "\"message\":\"etcdserver: invalid auth token\",\"code\":16}")).orElseThrow();
        assertTrue(token.invalidToken());
        EtcdServerException timeout = new EtcdServerException(14, "etcdserver: request timed out");
        assertTrue(timeout.retryable());
        assertFalse(timeout.notApplied(), "a timed-out proposal may still commit");
        assertTrue(EtcdJson.error(EtcdJson.parse("{\"header\":{}}")).isEmpty());
    }

    @Test
    void leaseAnswers() {
        EtcdJson.Grant g = EtcdJson.grant(EtcdJson.parse("{\"header\":{\"revision\":\"2\"},\"ID\":\"2324035580903909640\","
                + "\"TTL\":\"5\"}"));
        assertEquals(2324035580903909640L, g.id());
        assertEquals(5, g.ttlSeconds());
        assertEquals(5, EtcdJson.keepAliveTtl(EtcdJson.parse("{\"result\":{\"header\":{},\"ID\":\"1\",\"TTL\":\"5\"}}")));
        // an expired or unknown lease: the gateway leaves TTL out
        assertEquals(0, EtcdJson.keepAliveTtl(EtcdJson.parse("{\"result\":{\"header\":{},\"ID\":\"77\"}}")));
    }
}
