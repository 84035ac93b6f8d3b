package dev.berth.kv.zk;

import dev.berth.kv.log.KeyData;
import dev.berth.kv.log.LogEntry;
import dev.berth.kv.log.KvFormatException;
import java.nio.ByteBuffer;

/**
 * Where things live under the store's root znode ({@code /<prefix>}, or {@code /} for an empty prefix):
 *
 * <pre>
 * keys/&lt;key path&gt;          one persistent znode per key ({@link KeyData}); interior znodes have empty data
 * log/&lt;revision&gt;           the change log ({@link LogEntry}), 19-digit zero-padded so names sort by revision;
 *                          dense: revisions floor..head all exist, 0 is the genesis entry
 * head                     the last revision (8 bytes), rewritten by every write
 * floor                    the lowest revision still in the log (8 bytes), raised by the trimmer before it deletes
 * leases/&lt;lease hex&gt;       one EPHEMERAL znode per live lease, owned by the lease's own ZooKeeper session
 * lease-keys/&lt;lease hex&gt;/&lt;escaped key&gt;   which keys a lease holds (maintained in the same transactions)
 * </pre>
 *
 * Keys are path-like, so {@code a/b} is the znode {@code keys/a/b}; in {@code lease-keys} a key is one name, its
 * '/' written as '~' (a character keys may not contain).
 */
final class ZkLayout {
    private final String root;

    ZkLayout(String prefix) {
        this.root = prefix.isEmpty() ? "" : "/" + prefix;
    }

    /** The root znode itself ("/" for an empty prefix). */
    String root() {
        return root.isEmpty() ? "/" : root;
    }

    String keysDir() {
        return root + "/keys";
    }

    String keyPath(String key) {
        return keysDir() + "/" + key;
    }

    String logDir() {
        return root + "/log";
    }

    String logPath(long revision) {
        return logDir() + "/" + logName(revision);
    }

    static String logName(long revision) {
        return String.format("%019d", revision);
    }

    String head() {
        return root + "/head";
    }

    String floor() {
        return root + "/floor";
    }

    String leasesDir() {
        return root + "/leases";
    }

    String leaseMarker(long lease) {
        return leasesDir() + "/" + leaseName(lease);
    }

    String leaseKeysDir() {
        return root + "/lease-keys";
    }

    String leaseKeys(long lease) {
        return leaseKeysDir() + "/" + leaseName(lease);
    }

    String leaseKey(long lease, String key) {
        return leaseKeys(lease) + "/" + escape(key);
    }

    static String leaseName(long lease) {
        return String.format("%016x", lease);
    }

    /** The lease id of a {@code leases/} or {@code lease-keys/} child name, or 0 if the name is not one. */
    static long parseLeaseName(String name) {
        if (name.length() != 16) {
            return 0;
        }
        try {
            return Long.parseUnsignedLong(name, 16);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    static String escape(String key) {
        return key.replace('/', '~');
    }

    static String unescape(String name) {
        return name.replace('~', '/');
    }

    static byte[] revisionBytes(long revision) {
        return ByteBuffer.allocate(Long.BYTES).putLong(revision).array();
    }

    static long revisionOf(String path, byte[] data) {
        if (data == null || data.length != Long.BYTES) {
            throw new KvFormatException("znode " + path + " should hold an 8-byte revision");
        }
        return ByteBuffer.wrap(data).getLong();
    }
}
