package dev.berth.kv.consul;

import java.util.UUID;

/**
 * One entry as Consul returns it (key relative to nothing: Consul's full key), with its indexes and the session
 * holding it ("" when none). Value is empty when Consul sent null (transaction results carry no values).
 */
record KvEntry(String key, byte[] value, long createIndex, long modifyIndex, long lockIndex, long flags,
               String session) {
    KvEntry {
        value = value == null ? new byte[0] : value.clone();
        session = session == null ? "" : session;
    }

    @Override
    public byte[] value() {
        return value.clone();
    }

    /**
     * The {@code long} lease id (and marker name) of a Consul session: the high 64 bits of its UUID (0 for no session). Consul session
     * IDs are random UUIDs, so two sessions sharing the high half is as likely as a 64-bit collision.
     */
    static long leaseId(String session) {
        if (session == null || session.isEmpty()) {
            return 0;
        }
        try {
            return UUID.fromString(session).getMostSignificantBits();
        } catch (IllegalArgumentException e) {
            return session.hashCode();
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof KvEntry e && key.equals(e.key) && java.util.Arrays.equals(value, e.value)
                && createIndex == e.createIndex && modifyIndex == e.modifyIndex && lockIndex == e.lockIndex
                && flags == e.flags && session.equals(e.session);
    }

    @Override
    public int hashCode() {
        return key.hashCode() * 31 + Long.hashCode(modifyIndex);
    }

    @Override
    public String toString() {
        return "KvEntry[" + key + " create=" + createIndex + " modify=" + modifyIndex
                + (session.isEmpty() ? "" : " session=" + session) + "]";
    }
}
