package dev.berth.kv.consul;

/**
 * One KV operation of a {@code /v1/txn} transaction, in Consul's terms: {@code verb} is one of set, cas, lock, get,
 * delete, delete-cas, check-not-exists (the ones the store uses); {@code index} is the ModifyIndex that cas and
 * delete-cas compare (0 for cas means "only if absent"); {@code session} is the session a lock acquires the key for.
 * A {@code get} of a missing key, a failed cas or delete-cas, and check-not-exists of a present key roll the whole
 * transaction back.
 */
record TxnOp(String verb, String key, byte[] value, long index, String session) {
    TxnOp {
        value = value == null ? null : value.clone();
    }

    @Override
    public byte[] value() {
        return value == null ? null : value.clone();
    }

    static TxnOp set(String key, byte[] value) {
        return new TxnOp("set", key, value, 0, null);
    }

    static TxnOp cas(String key, long index, byte[] value) {
        return new TxnOp("cas", key, value, index, null);
    }

    static TxnOp lock(String key, byte[] value, String session) {
        return new TxnOp("lock", key, value, 0, session);
    }

    static TxnOp get(String key) {
        return new TxnOp("get", key, null, 0, null);
    }

    static TxnOp delete(String key) {
        return new TxnOp("delete", key, null, 0, null);
    }

    static TxnOp deleteCas(String key, long index) {
        return new TxnOp("delete-cas", key, null, index, null);
    }

    static TxnOp checkNotExists(String key) {
        return new TxnOp("check-not-exists", key, null, 0, null);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TxnOp t && verb.equals(t.verb) && key.equals(t.key)
                && java.util.Arrays.equals(value, t.value) && index == t.index
                && java.util.Objects.equals(session, t.session);
    }

    @Override
    public int hashCode() {
        return verb.hashCode() * 31 + key.hashCode();
    }

    @Override
    public String toString() {
        return verb + " " + key + (index != 0 ? " @" + index : "") + (session != null ? " session " + session : "");
    }
}
