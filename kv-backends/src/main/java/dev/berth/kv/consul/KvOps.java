package dev.berth.kv.consul;

import dev.berth.kv.log.LogStore;
import dev.berth.kv.log.LogStore.Kind;
import dev.berth.kv.log.KeyData;
import dev.berth.kv.log.LogEntry;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Which {@code /v1/txn} transaction each store write is. Pure (no I/O), so the exact operations are unit-tested.
 *
 * <pre>
 * 0  cas    head          @head's ModifyIndex  value r     the head is still r-1 (nobody appended meanwhile); move it
 * 1  cas    log/&lt;r&gt;       @0                   LogEntry    append entry r (never overwrite one)
 * 2  cas    keys/&lt;key&gt;    @key's ModifyIndex   KeyData     (0: only if absent) the key did not change since read
 *    | delete-cas keys/&lt;key&gt; @key's ModifyIndex
 * 3  get    leases/&lt;id&gt;  (leased writes)                the lease's marker still exists: the lease is alive
 *    | check-not-exists leases/&lt;id&gt;  (reaping)          the lease is dead for sure
 *    delete lease-keys/&lt;old&gt;/&lt;key&gt;, set lease-keys/&lt;new&gt;/&lt;key&gt;   when the key changes lease
 * </pre>
 *
 * Consul applies all of it or nothing, so revision r is exactly head+1, the log is dense and in write order, and a
 * key's modification revision is the name of its log entry. A compare-and-set keeps the key's lease (and checks that
 * lease's marker). The keys themselves are never locked by a session: Consul would delete them without a log entry.
 */
final class KvOps {
    /** A change asked for; {@code lease} is the lease to bind (PUT, CREATE) or the dead lease to reap (REAP). */
    record Request(Kind kind, String key, byte[] value, long lease, long expectedModRevision) {
        boolean deletes() {
            return kind == Kind.CAD || kind == Kind.DELETE || kind == Kind.REAP;
        }
    }

    /** A key as read: its Consul ModifyIndex (what the transaction's cas compares) and what it holds. */
    record Current(long modifyIndex, KeyData data) {
    }

    /** The head as read: the last revision and the head key's Consul ModifyIndex. */
    record Head(long revision, long modifyIndex) {
    }

    /** The transaction for revision {@code revision}; {@code leaseOp} is the marker check's position, or -1. */
    record Plan(long revision, long nonce, List<TxnOp> ops, int leaseOp) {
        static final int HEAD_OP = 0;
        static final int LOG_OP = 1;
        static final int KEY_OP = 2;

        Plan {
            ops = List.copyOf(ops);
        }
    }

    private KvOps() {
    }

    /** Whether the request applies to the key's current state (a failed condition is answered without writing). */
    static boolean applies(Request req, Optional<KeyData> cur) {
        return switch (req.kind()) {
            case PUT -> true;
            case CREATE -> cur.isEmpty();
            case CAS, CAD -> cur.isPresent() && cur.get().modRevision() == req.expectedModRevision();
            case DELETE -> cur.isPresent();
            case REAP -> cur.isPresent() && cur.get().lease() == req.lease();
        };
    }

    static Plan plan(ConsulLayout layout, Request req, Optional<Current> cur, Head head, long nonce) {
        long rev = head.revision() + 1;
        Optional<KeyData> data = cur.map(Current::data);
        long oldLease = data.map(KeyData::lease).orElse(0L);
        long newLease = switch (req.kind()) {
            case PUT, CREATE -> req.lease();
            case CAS -> oldLease;
            case CAD, DELETE, REAP -> 0L;
        };
        long createRevision = data.map(KeyData::createRevision).orElse(rev);
        LogEntry entry = req.deletes() ? LogEntry.delete(req.key(), nonce)
                : LogEntry.put(req.key(), req.value(), createRevision, newLease, nonce);
        long keyIndex = cur.map(Current::modifyIndex).orElse(0L);
        List<TxnOp> ops = new ArrayList<>();
        ops.add(TxnOp.cas(layout.head(), head.modifyIndex(), ConsulLayout.counter(rev)));
        ops.add(TxnOp.cas(layout.log(rev), 0, entry.encode()));
        ops.add(req.deletes() ? TxnOp.deleteCas(layout.key(req.key()), keyIndex)
                : TxnOp.cas(layout.key(req.key()), keyIndex,
                        new KeyData(createRevision, rev, newLease, req.value()).encode()));
        int leaseOp = -1;
        if (req.kind() == Kind.REAP) {
            leaseOp = ops.size();
            ops.add(TxnOp.checkNotExists(layout.marker(req.lease())));
        } else if (newLease != 0) {
            leaseOp = ops.size();
            ops.add(TxnOp.get(layout.marker(newLease)));
        }
        if (oldLease != newLease) {
            if (oldLease != 0) {
                ops.add(TxnOp.delete(layout.leaseKey(oldLease, req.key())));
            }
            if (newLease != 0) {
                ops.add(TxnOp.set(layout.leaseKey(newLease, req.key()), new byte[0]));
            }
        }
        return new Plan(rev, nonce, ops, leaseOp);
    }
}
