package dev.berth.kv.log;

import dev.berth.kv.KeyValue;
import dev.berth.kv.WatchEvent;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * One change in a log-based backend's log (ZooKeeper's znode or Consul's key {@code log/<revision>}): what happened to which key, the full new value and
 * create revision of a PUT (so a watcher or a listing can rebuild the entry without reading the key), the key's lease,
 * and the nonce of the write that made it (so a write retried after a lost connection can tell that its first attempt
 * landed). The revision is not stored: it is the entry's name. In ZooKeeper, entry 0 is a GENESIS marker every log
 * starts with; Consul's log has none (its head key alone orders appends).
 */
public record LogEntry(Type type, String key, byte[] value, long createRevision, long lease, long nonce) {
    public enum Type { GENESIS, PUT, DELETE }

    static final byte MAGIC = (byte) 0xB8;
    static final byte FORMAT = 1;

    public LogEntry {
        value = value.clone();
    }

    public static LogEntry genesis() {
        return new LogEntry(Type.GENESIS, "", new byte[0], 0, 0, 0);
    }

    public static LogEntry put(String key, byte[] value, long createRevision, long lease, long nonce) {
        return new LogEntry(Type.PUT, key, value, createRevision, lease, nonce);
    }

    public static LogEntry delete(String key, long nonce) {
        return new LogEntry(Type.DELETE, key, new byte[0], 0, 0, nonce);
    }

    @Override
    public byte[] value() {
        return value.clone();
    }

    /** The entry as a watch event at {@code revision}; a DELETE carries an empty value and no lease. */
    public WatchEvent toEvent(long revision) {
        return switch (type) {
            case PUT -> new WatchEvent(WatchEvent.Type.PUT,
                    new KeyValue(key, value, createRevision, revision, lease), revision);
            case DELETE -> new WatchEvent(WatchEvent.Type.DELETE, new KeyValue(key, new byte[0], 0, revision, 0),
                    revision);
            case GENESIS -> throw new IllegalStateException("the genesis entry is not a change");
        };
    }

    public byte[] encode() {
        byte[] k = key.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(3 + 3 * Long.BYTES + Short.BYTES + k.length + value.length).put(MAGIC).put(FORMAT)
                .put((byte) type.ordinal()).putLong(createRevision).putLong(lease).putLong(nonce)
                .putShort((short) k.length).put(k).put(value).array();
    }

    public static LogEntry decode(String path, byte[] data) {
        if (data == null || data.length < 3 + 3 * Long.BYTES + Short.BYTES || data[0] != MAGIC) {
            throw new KvFormatException("log entry " + path + " is not a Berth log entry");
        }
        if (data[1] != FORMAT) {
            throw new KvFormatException("log entry " + path + " has format " + data[1] + ", this build reads "
                    + FORMAT);
        }
        ByteBuffer b = ByteBuffer.wrap(data, 2, data.length - 2);
        int t = b.get();
        if (t < 0 || t >= Type.values().length) {
            throw new KvFormatException("log entry " + path + " has unknown type " + t);
        }
        long create = b.getLong();
        long lease = b.getLong();
        long nonce = b.getLong();
        int keyLength = Short.toUnsignedInt(b.getShort());
        if (keyLength > b.remaining()) {
            throw new KvFormatException("log entry " + path + " is truncated");
        }
        byte[] k = new byte[keyLength];
        b.get(k);
        byte[] value = new byte[b.remaining()];
        b.get(value);
        return new LogEntry(Type.values()[t], new String(k, StandardCharsets.UTF_8), value, create, lease, nonce);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LogEntry e && type == e.type && key.equals(e.key) && Arrays.equals(value, e.value)
                && createRevision == e.createRevision && lease == e.lease && nonce == e.nonce;
    }

    @Override
    public int hashCode() {
        return key.hashCode() * 31 + Long.hashCode(nonce);
    }

    @Override
    public String toString() {
        return "LogEntry[" + type + " " + key + ", create=" + createRevision + ", " + value.length + " bytes]";
    }
}
