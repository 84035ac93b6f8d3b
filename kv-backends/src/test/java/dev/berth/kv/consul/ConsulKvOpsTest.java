package dev.berth.kv.consul;

import dev.berth.kv.log.LogStore;
import dev.berth.kv.log.KeyData;
import dev.berth.kv.log.LogEntry;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The exact {@code /v1/txn} body each store write becomes, checked as JSON without a server. */
@Tag("unit")
class ConsulKvOpsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ConsulLayout L = new ConsulLayout("berth");
    private static final byte[] V = "v".getBytes(StandardCharsets.UTF_8);
    private static final long NONCE = 42;
    private static final long LEASE = 0x0f2c7d3e11112222L;
    private static final long OTHER = 0x00000000000000abL;
    /** head at revision 9, its Consul ModifyIndex 500: the write gets revision 10. */
    private static final KvOps.Head HEAD = new KvOps.Head(9, 500);

    private static String b64(byte[] b) {
        return Base64.getEncoder().encodeToString(b);
    }

    private static KvOps.Request req(LogStore.Kind kind, long lease, long expected) {
        boolean value = kind == LogStore.Kind.PUT || kind == LogStore.Kind.CREATE || kind == LogStore.Kind.CAS;
        return new KvOps.Request(kind, "a/k", value ? V : null, lease, expected);
    }

    private static Optional<KvOps.Current> current(long lease) {
        return Optional.of(new KvOps.Current(77, new KeyData(3, 8, lease, "old".getBytes(StandardCharsets.UTF_8))));
    }

    private static JsonNode body(KvOps.Plan plan) throws Exception {
        return JSON.readTree(ConsulApi.txn(plan.ops()).body());
    }

    private static String headOp() {
        return "{\"KV\":{\"Verb\":\"cas\",\"Key\":\"berth/head\",\"Value\":\"" + b64("10".getBytes()) + "\",\"Index\":500}}";
    }

    private static String logOp(LogEntry e) {
        return "{\"KV\":{\"Verb\":\"cas\",\"Key\":\"berth/log/0000000000000000010\",\"Value\":\"" + b64(e.encode())
                + "\",\"Index\":0}}";
    }

    private static String keyOp(long index, KeyData d) {
        return "{\"KV\":{\"Verb\":\"cas\",\"Key\":\"berth/keys/a/k\",\"Value\":\"" + b64(d.encode()) + "\",\"Index\":"
                + index + "}}";
    }

    private static void assertBody(String expected, KvOps.Plan plan) throws Exception {
        assertEquals(JSON.readTree(expected), body(plan));
    }

    @Test
    void put_ofAnAbsentKeyAppendsRevisionHeadPlusOneAndCreatesTheKey() throws Exception {
        KvOps.Plan p = KvOps.plan(L, req(LogStore.Kind.PUT, 0, 0), Optional.empty(), HEAD, NONCE);
        assertEquals(10, p.revision());
        assertEquals(-1, p.leaseOp());
        assertBody("[" + headOp() + "," + logOp(LogEntry.put("a/k", V, 10, 0, NONCE)) + ","
                + keyOp(0, new KeyData(10, 10, 0, V)) + "]", p);
    }

    @Test
    void put_ofAPresentKeyKeepsItsCreateRevisionAndComparesItsIndex() throws Exception {
        KvOps.Plan p = KvOps.plan(L, req(LogStore.Kind.PUT, 0, 0), current(0), HEAD, NONCE);
        assertBody("[" + headOp() + "," + logOp(LogEntry.put("a/k", V, 3, 0, NONCE)) + ","
                + keyOp(77, new KeyData(3, 10, 0, V)) + "]", p);
    }

    @Test
    void put_underALeaseChecksItsMarkerAndIndexesTheKey() throws Exception {
        KvOps.Plan p = KvOps.plan(L, req(LogStore.Kind.PUT, LEASE, 0), current(OTHER), HEAD, NONCE);
        assertEquals(3, p.leaseOp());
        assertBody("[" + headOp() + "," + logOp(LogEntry.put("a/k", V, 3, LEASE, NONCE)) + ","
                + keyOp(77, new KeyData(3, 10, LEASE, V)) + ","
                + "{\"KV\":{\"Verb\":\"get\",\"Key\":\"berth/leases/0f2c7d3e11112222\"}},"
                + "{\"KV\":{\"Verb\":\"delete\",\"Key\":\"berth/lease-keys/00000000000000ab/a/k\"}},"
                + "{\"KV\":{\"Verb\":\"set\",\"Key\":\"berth/lease-keys/0f2c7d3e11112222/a/k\",\"Value\":\"\"}}]", p);
    }

    @Test
    void put_underTheSameLeaseLeavesTheIndexAlone() {
        KvOps.Plan p = KvOps.plan(L, req(LogStore.Kind.PUT, LEASE, 0), current(LEASE), HEAD, NONCE);
        assertEquals(4, p.ops().size());
        assertEquals("get berth/leases/0f2c7d3e11112222", p.ops().get(3).toString());
    }

    @Test
    void create_isACasWithIndexZero() throws Exception {
        KvOps.Plan p = KvOps.plan(L, req(LogStore.Kind.CREATE, 0, 0), Optional.empty(), HEAD, NONCE);
        assertEquals(0, body(p).get(2).get("KV").get("Index").asLong());
        assertTrue(KvOps.applies(req(LogStore.Kind.CREATE, 0, 0), Optional.empty()));
        assertFalse(KvOps.applies(req(LogStore.Kind.CREATE, 0, 0), current(0).map(KvOps.Current::data)));
    }

    @Test
    void compareAndSet_keepsTheKeysLeaseAndChecksItsMarker() throws Exception {
        KvOps.Plan p = KvOps.plan(L, req(LogStore.Kind.CAS, 0, 8), current(LEASE), HEAD, NONCE);
        assertBody("[" + headOp() + "," + logOp(LogEntry.put("a/k", V, 3, LEASE, NONCE)) + ","
                + keyOp(77, new KeyData(3, 10, LEASE, V)) + ","
                + "{\"KV\":{\"Verb\":\"get\",\"Key\":\"berth/leases/0f2c7d3e11112222\"}}]", p);
        assertTrue(KvOps.applies(req(LogStore.Kind.CAS, 0, 8), current(0).map(KvOps.Current::data)));
        assertFalse(KvOps.applies(req(LogStore.Kind.CAS, 0, 7), current(0).map(KvOps.Current::data)));
        assertFalse(KvOps.applies(req(LogStore.Kind.CAS, 0, 8), Optional.empty()));
    }

    @Test
    void delete_isADeleteCasAndLogsADelete() throws Exception {
        KvOps.Plan p = KvOps.plan(L, req(LogStore.Kind.DELETE, 0, 0), current(0), HEAD, NONCE);
        assertBody("[" + headOp() + "," + logOp(LogEntry.delete("a/k", NONCE)) + ","
                + "{\"KV\":{\"Verb\":\"delete-cas\",\"Key\":\"berth/keys/a/k\",\"Index\":77}}]", p);
        assertFalse(KvOps.applies(req(LogStore.Kind.DELETE, 0, 0), Optional.empty()));
    }

    @Test
    void compareAndDelete_ofALeasedKeyDropsItsIndexEntry() {
        KvOps.Plan p = KvOps.plan(L, req(LogStore.Kind.CAD, 0, 8), current(LEASE), HEAD, NONCE);
        assertEquals("delete-cas berth/keys/a/k @77", p.ops().get(2).toString());
        assertEquals("delete berth/lease-keys/0f2c7d3e11112222/a/k", p.ops().get(3).toString());
        assertEquals(4, p.ops().size());
    }

    @Test
    void reap_requiresTheMarkerToBeGoneAndTheKeyStillBound() throws Exception {
        KvOps.Request reap = new KvOps.Request(LogStore.Kind.REAP, "a/k", null, LEASE, 0);
        KvOps.Plan p = KvOps.plan(L, reap, current(LEASE), HEAD, NONCE);
        assertEquals(3, p.leaseOp());
        assertEquals("{\"KV\":{\"Verb\":\"check-not-exists\",\"Key\":\"berth/leases/0f2c7d3e11112222\"}}",
                body(p).get(3).toString());
        assertEquals("delete berth/lease-keys/0f2c7d3e11112222/a/k", p.ops().get(4).toString());
        assertTrue(KvOps.applies(reap, current(LEASE).map(KvOps.Current::data)));
        assertFalse(KvOps.applies(reap, current(OTHER).map(KvOps.Current::data)), "rebound meanwhile");
        assertFalse(KvOps.applies(reap, Optional.empty()));
    }

    @Test
    void leaseMarker_isLockedByTheSession() throws Exception {
        String s = "0f2c7d3e-1111-2222-3333-444455556666";
        assertEquals(JSON.readTree("[{\"KV\":{\"Verb\":\"lock\",\"Key\":\"berth/leases/0f2c7d3e11112222\",\"Value\":\""
                + b64(s.getBytes()) + "\",\"Session\":\"" + s + "\"}}]"),
                JSON.readTree(ConsulApi.txn(ConsulLease.markerOps(L, s)).body()));
    }
}
