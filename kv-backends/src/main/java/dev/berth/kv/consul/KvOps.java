package dev.berth.kv.consul;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Which transaction each store write is, given the key's current entry. Pure, so the mapping is unit-tested.
 *
 * <p>Consul keeps a key's session (lease) when it is set or cas'ed without one, so binding and releasing are explicit:
 * a put under another lease (or under none) releases the old session with {@code unlock} and binds the new one with
 * {@code lock}, guarded by {@code check-index} so the key cannot change in between. A compare-and-set keeps the key's
 * lease, as in the other backends.
 */
final class KvOps {
    private KvOps() {
    }

    /** Sets key to value, bound to {@code session} (null: no lease). */
    static List<TxnOp> put(String key, byte[] value, Optional<KvEntry> current, String session) {
        if (current.isEmpty()) {
            return create(key, value, session);
        }
        long index = current.get().modifyIndex();
        String held = current.get().session();
        String wanted = session == null ? "" : session;
        if (held.equals(wanted)) {
            return session == null ? List.of(TxnOp.cas(key, index, value))
                    : List.of(TxnOp.checkIndex(key, index), TxnOp.lock(key, value, session));
        }
        List<TxnOp> ops = new ArrayList<>();
        ops.add(TxnOp.checkIndex(key, index));
        if (!held.isEmpty()) {
            ops.add(TxnOp.unlock(key, value, held));
        }
        if (session != null) {
            ops.add(TxnOp.lock(key, value, session));
        }
        return ops;
    }

    /** Creates key only if absent (cas with index 0), bound to {@code session} if not null. */
    static List<TxnOp> create(String key, byte[] value, String session) {
        return session == null ? List.of(TxnOp.cas(key, 0, value))
                : List.of(TxnOp.checkNotExists(key), TxnOp.lock(key, value, session));
    }

    static List<TxnOp> compareAndSet(String key, long expectedModifyIndex, byte[] value) {
        return List.of(TxnOp.cas(key, expectedModifyIndex, value));
    }

    static List<TxnOp> compareAndDelete(String key, long expectedModifyIndex) {
        return List.of(TxnOp.deleteCas(key, expectedModifyIndex));
    }

    /** Deletes key; the get fails the transaction when the key is absent, which tells delete() it did not exist. */
    static List<TxnOp> delete(String key) {
        return List.of(TxnOp.get(key), TxnOp.delete(key));
    }

    /** The index of the lock operation in ops, or -1: a rollback there means the session is gone or the key held. */
    static int lockOp(List<TxnOp> ops) {
        for (int i = 0; i < ops.size(); i++) {
            if (ops.get(i).verb().equals("lock")) {
                return i;
            }
        }
        return -1;
    }
}
