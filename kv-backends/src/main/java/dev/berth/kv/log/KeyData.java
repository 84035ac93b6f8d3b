package dev.berth.kv.log;

import dev.berth.kv.KeyValue;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * What a key holds in the log-based backends (ZooKeeper's znode {@code keys/<key>}, Consul's key of that name): a
 * 26-byte header (magic, format, create revision, modification revision, lease id) and then the value. The revisions
 * are the store's log revisions, so a key read on its own carries exactly the revisions its log entries have.
 */
public record KeyData(long createRevision, long modRevision, long lease, byte[] value) {
    public static final byte MAGIC = (byte) 0xB7;
    public static final byte FORMAT = 1;
    public static final int HEADER = 2 + 3 * Long.BYTES;

    public KeyData {
        value = value.clone();
    }

    @Override
    public byte[] value() {
        return value.clone();
    }

    public KeyValue toKeyValue(String key) {
        return new KeyValue(key, value, createRevision, modRevision, lease);
    }

    public byte[] encode() {
        return ByteBuffer.allocate(HEADER + value.length).put(MAGIC).put(FORMAT).putLong(createRevision)
                .putLong(modRevision).putLong(lease).put(value).array();
    }

    /** A {@link KvFormatException} for data Berth did not write; {@code where} names the node or key. */
    public static KeyData decode(String where, byte[] data) {
        if (data == null || data.length < HEADER || data[0] != MAGIC) {
            throw new KvFormatException(where + " does not hold a Berth key ("
                    + (data == null ? 0 : data.length) + " bytes without the Berth header): is another program "
                    + "writing under this prefix?");
        }
        if (data[1] != FORMAT) {
            throw new KvFormatException(where + " has key format " + data[1]
                    + ", this build reads " + FORMAT);
        }
        ByteBuffer b = ByteBuffer.wrap(data, 2, HEADER - 2);
        return new KeyData(b.getLong(), b.getLong(), b.getLong(), Arrays.copyOfRange(data, HEADER, data.length));
    }

    /**
     * For stores whose nodes double as directories (ZooKeeper): a node with no data is an interior node that only holds
     * children ({@code a} when only {@code a/b} was written), not a key; a key always has at least the header.
     */
    public static java.util.Optional<KeyData> decodeNode(String where, byte[] data) {
        return data == null || data.length == 0 ? java.util.Optional.empty() : java.util.Optional.of(decode(where, data));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof KeyData k && createRevision == k.createRevision && modRevision == k.modRevision
                && lease == k.lease && Arrays.equals(value, k.value);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(modRevision) * 31 + Arrays.hashCode(value);
    }

    @Override
    public String toString() {
        return "KeyData[create=" + createRevision + ", mod=" + modRevision + ", lease=" + Long.toHexString(lease)
                + ", " + value.length + " bytes]";
    }
}
