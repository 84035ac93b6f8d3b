package dev.berth.kv;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * One entry: key (relative to the store's prefix), value, the revision that created it, the revision that last
 * modified it, and its lease (0 when none).
 */
public record KeyValue(String key, byte[] value, long createRevision, long modRevision, long leaseId) {
    public KeyValue {
        value = value.clone();
    }

    @Override
    public byte[] value() {
        return value.clone();
    }

    public String text() {
        return new String(value, StandardCharsets.UTF_8);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof KeyValue kv && key.equals(kv.key) && Arrays.equals(value, kv.value)
                && createRevision == kv.createRevision && modRevision == kv.modRevision && leaseId == kv.leaseId;
    }

    @Override
    public int hashCode() {
        return key.hashCode() * 31 + Long.hashCode(modRevision);
    }

    @Override
    public String toString() {
        return "KeyValue[" + key + "@" + modRevision + " (" + value.length + " bytes)]";
    }
}
