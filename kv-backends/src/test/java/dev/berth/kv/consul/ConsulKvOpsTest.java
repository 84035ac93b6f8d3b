package dev.berth.kv.consul;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Which Consul transaction each store write becomes. */
@Tag("unit")
class ConsulKvOpsTest {
    private static final byte[] V = "v".getBytes(StandardCharsets.UTF_8);
    private static final String S1 = "adf4238a-882b-9ddc-4a9d-5b6758e4159e";
    private static final String S2 = "0f2c7d3e-1111-2222-3333-444455556666";

    private static Optional<KvEntry> current(long modify, String session) {
        return Optional.of(new KvEntry("b/k", V, 3, modify, 0, 0, session));
    }

    private static List<String> verbs(List<TxnOp> ops) {
        return ops.stream().map(TxnOp::toString).toList();
    }

    @Test
    void put_ofAnAbsentKeyCreatesIt() {
        assertEquals(List.of("cas b/k"), verbs(KvOps.put("b/k", V, Optional.empty(), null)));
        assertEquals(List.of("check-not-exists b/k", "lock b/k session " + S1),
                verbs(KvOps.put("b/k", V, Optional.empty(), S1)));
    }

    @Test
    void put_ofAnUnleasedKeyIsACasOnItsIndex() {
        assertEquals(List.of("cas b/k @7"), verbs(KvOps.put("b/k", V, current(7, ""), null)));
    }

    @Test
    void put_underTheSameLeaseRelocks() {
        assertEquals(List.of("check-index b/k @7", "lock b/k session " + S1),
                verbs(KvOps.put("b/k", V, current(7, S1), S1)));
    }

    @Test
    void put_movesALeasedKeyToAnotherLeaseOrToNone() {
        assertEquals(List.of("check-index b/k @7", "unlock b/k session " + S1, "lock b/k session " + S2),
                verbs(KvOps.put("b/k", V, current(7, S1), S2)));
        assertEquals(List.of("check-index b/k @7", "unlock b/k session " + S1),
                verbs(KvOps.put("b/k", V, current(7, S1), null)));
        assertEquals(List.of("check-index b/k @7", "lock b/k session " + S2),
                verbs(KvOps.put("b/k", V, current(7, ""), S2)));
    }

    @Test
    void conditionalWrites() {
        assertEquals(List.of("cas b/k"), verbs(KvOps.create("b/k", V, null)));
        assertEquals(List.of("cas b/k @9"), verbs(KvOps.compareAndSet("b/k", 9, V)));
        assertEquals(List.of("delete-cas b/k @9"), verbs(KvOps.compareAndDelete("b/k", 9)));
        assertEquals(List.of("get b/k", "delete b/k"), verbs(KvOps.delete("b/k")));
    }

    @Test
    void lockOp_isFound() {
        assertEquals(1, KvOps.lockOp(KvOps.create("b/k", V, S1)));
        assertEquals(-1, KvOps.lockOp(KvOps.create("b/k", V, null)));
    }
}
