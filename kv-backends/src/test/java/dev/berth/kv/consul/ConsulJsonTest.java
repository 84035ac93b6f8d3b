package dev.berth.kv.consul;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.kv.KvException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Consul's answers, as its API documentation shows them, parsed without a server. */
@Tag("unit")
class ConsulJsonTest {
    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void kvAnswer_entriesWithBase64ValuesIndexesAndSession() {
        List<KvEntry> entries = ConsulJson.entries(b("""
                [{"CreateIndex":100,"ModifyIndex":200,"LockIndex":200,"Key":"berth/zip","Flags":0,
                  "Value":"dGVzdA==","Session":"adf4238a-882b-9ddc-4a9d-5b6758e4159e"},
                 {"CreateIndex":5,"ModifyIndex":6,"LockIndex":0,"Key":"berth/empty","Flags":0,"Value":null}]
                """));
        assertEquals(2, entries.size());
        KvEntry zip = entries.get(0);
        assertEquals("berth/zip", zip.key());
        assertArrayEquals(b("test"), zip.value());
        assertEquals(100, zip.createIndex());
        assertEquals(200, zip.modifyIndex());
        assertEquals("adf4238a-882b-9ddc-4a9d-5b6758e4159e", zip.session());
        assertEquals(UUID.fromString("adf4238a-882b-9ddc-4a9d-5b6758e4159e").getMostSignificantBits(),
                KvEntry.leaseId(zip.session()));
        assertEquals(0, entries.get(1).value().length);
        assertEquals("", entries.get(1).session());
    }

    @Test
    void txnAnswer_successGivesEachOperationsEntry() {
        ConsulJson.TxnAnswer a = ConsulJson.txnAnswer(b("""
                {"Results":[{"KV":{"LockIndex":0,"Key":"berth/k","Flags":0,"Value":null,
                  "CreateIndex":12,"ModifyIndex":31}},
                 {"KV":{"LockIndex":1,"Key":"berth/k","Flags":0,"Value":null,"CreateIndex":12,"ModifyIndex":31,
                  "Session":"s"}}],"Errors":null}
                """));
        assertEquals(2, a.results().size());
        assertEquals(31, a.results().get(0).modifyIndex());
        assertTrue(a.errors().isEmpty());
        assertEquals(-1, a.failedOp());
    }

    @Test
    void txnAnswer_rollbackSaysWhichOperationFailed() {
        ConsulJson.TxnAnswer a = ConsulJson.txnAnswer(b("""
                {"Results":null,"Errors":[{"OpIndex":1,"What":"failed to lock key \\"berth/k\\": lock is already held"}]}
                """));
        assertEquals(List.of(new ConsulJson.TxnError(1, "failed to lock key \"berth/k\": lock is already held")),
                a.errors());
        assertEquals(1, a.failedOp());
    }

    @Test
    void sessionAndLeaderAnswers() {
        assertEquals("adf4238a-882b-9ddc-4a9d-5b6758e4159e",
                ConsulJson.sessionId(b("{\"ID\":\"adf4238a-882b-9ddc-4a9d-5b6758e4159e\"}")));
        assertThrows(KvException.class, () -> ConsulJson.sessionId(b("{}")));
        assertEquals("10.1.10.12:8300", ConsulJson.leader(b("\"10.1.10.12:8300\"")));
        assertEquals("", ConsulJson.leader(b("\"\"")));
    }

    @Test
    void malformedAnswersAreErrorsNotGuesses() {
        assertThrows(KvException.class, () -> ConsulJson.entries(b("{\"Key\":\"x\"}")));
        assertThrows(KvException.class, () -> ConsulJson.entries(b("not json")));
        assertThrows(KvException.class, () -> ConsulJson.entries(b("[{\"Value\":\"dGVzdA==\"}]")));
        assertThrows(KvException.class, () -> ConsulJson.entries(b("[{\"Key\":\"k\",\"Value\":\"***\"}]")));
    }

    @Test
    void keysAnswer_isAListOfNames() {
        assertEquals(List.of("berth/leases/00000000000000aa", "berth/leases/00000000000000bb"),
                ConsulJson.keyNames(b("[\"berth/leases/00000000000000aa\",\"berth/leases/00000000000000bb\"]")));
        assertThrows(KvException.class, () -> ConsulJson.keyNames(b("{}")));
        assertThrows(KvException.class, () -> ConsulJson.keyNames(b("[1]")));
    }

    @Test
    void indexHeader() {
        assertEquals(-1, ConsulHttp.index(null));
        assertEquals(123456789012L, ConsulHttp.index("123456789012"));
        assertThrows(KvException.class, () -> ConsulHttp.index("abc"));
    }

    @Test
    void leaseIds_comeFromTheSessionUuid() {
        assertEquals(0, KvEntry.leaseId(""));
        assertEquals(0x0f2c7d3e11112222L, KvEntry.leaseId("0f2c7d3e-1111-2222-3333-444455556666"));
    }
}
