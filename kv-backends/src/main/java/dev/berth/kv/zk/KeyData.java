package dev.berth.kv.zk;

import dev.berth.kv.KeyValue;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Optional;

/**
 * What a key's znode holds: a 26-byte header (magic, format, create revision, modification revision, lease) and then
 * the value. A znode with empty data is not a key but an interior node that only holds children ({@code a} when only
 * {@code a/b} was written), so a key with an empty value still has 26 bytes and the two never mix.
 */
record KeyData(long createRevision, long modRevision, long lease, byte[] value) {
    static final byte MAGIC = (byte) 0xB7;
    static final byte FORMAT = 1;
    static final int HEADER = 2 + 3 * Long.BYTES;

    KeyData {
        value = value.clone();
    }

    @Override
    public byte[] value() {
        return value.clone();
    }

    KeyValue toKeyValue(String key) {
        return new KeyValue(key, value, createRevision, modRevision, lease);
    }

    byte[] encode() {
        return ByteBuffer.allocate(HEADER + value.length).put(MAGIC).put(FORMAT).putLong(createRevision)
                .putLong(modRevision).putLong(lease).put(value).array();
    }

    /** Empty for an interior node (no data); a {@link ZkFormatException} for data Berth did not write. */
    static Optional<KeyData> decode(String path, byte[] data) {
        if (data == null || data.length == 0) {
            return Optional.empty();
        }
        if (data.length < HEADER || data[0] != MAGIC) {
            throw new ZkFormatException("znode " + path + " does not hold a Berth key (" + data.length
                    + " bytes without the Berth header): is another program writing under this prefix?");
        }
        if (data[1] != FORMAT) {
            throw new ZkFormatException("znode " + path + " has key format " + data[1] + ", this build reads "
                    + FORMAT);
        }
        ByteBuffer b = ByteBuffer.wrap(data, 2, HEADER - 2);
        return Optional.of(new KeyData(b.getLong(), b.getLong(), b.getLong(),
                Arrays.copyOfRange(data, HEADER, data.length)));
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
