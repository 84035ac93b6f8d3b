package dev.berth.kv.consul;

import dev.berth.kv.log.KeyData;
import dev.berth.kv.log.LogEntry;
import dev.berth.kv.log.KvFormatException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Where things live under the store's prefix in Consul's KV ({@code <prefix>/}, or the KV root for an empty prefix):
 *
 * <pre>
 * keys/&lt;key&gt;                 one Consul key per store key ({@link KeyData}: header with revisions and lease, value)
 * log/&lt;revision&gt;             the change log ({@link LogEntry}), 19-digit zero-padded so names sort by revision;
 *                            dense: revisions floor+1..head all exist (until the trimmer deletes below the floor)
 * head                       the last revision (decimal text), moved by every write in the same transaction
 * floor                      revisions at or below it may be trimmed (decimal text); raised before deleting
 * leases/&lt;lease hex&gt;         a live lease's marker, locked by its session (Behavior=delete: gone with the session)
 * lease-keys/&lt;lease hex&gt;/&lt;key&gt;   which keys a lease holds, maintained in the writes' transactions
 * </pre>
 *
 * Pure: names only, unit-tested.
 */
final class ConsulLayout {
    /** Log entries are read in blocks of this many consecutive revisions: one {@code ?recurse} read per block. */
    static final int BLOCK = 100;

    private final String root;

    ConsulLayout(String prefix) {
        this.root = prefix.isEmpty() ? "" : prefix + "/";
    }

    String keysDir() {
        return root + "keys/";
    }

    String key(String key) {
        return keysDir() + key;
    }

    /** The store key of a Consul key under {@code keys/}, or null (outside it, or a Consul "folder"). */
    String storeKey(String consulKey) {
        if (!consulKey.startsWith(keysDir())) {
            return null;
        }
        String rest = consulKey.substring(keysDir().length());
        return rest.isEmpty() || rest.endsWith("/") ? null : rest;
    }

    String logDir() {
        return root + "log/";
    }

    String log(long revision) {
        return logDir() + String.format("%019d", revision);
    }

    /** The revision of a Consul key {@code log/<19 digits>}, or -1 if it is not one. */
    long revisionOf(String consulKey) {
        if (!consulKey.startsWith(logDir()) || consulKey.length() != logDir().length() + 19) {
            return -1;
        }
        try {
            return Long.parseLong(consulKey.substring(logDir().length()));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /**
     * The key prefixes whose {@code ?recurse} reads cover revisions from..to: one per block of {@value #BLOCK}
     * (a 17-digit prefix names revisions b*100 .. b*100+99). Entries outside from..to in a block are dropped by the
     * reader.
     */
    List<String> logBlocks(long from, long to) {
        List<String> out = new ArrayList<>();
        for (long b = from / BLOCK; b <= to / BLOCK; b++) {
            out.add(logDir() + String.format("%017d", b));
        }
        return out;
    }

    String head() {
        return root + "head";
    }

    String floor() {
        return root + "floor";
    }

    String leasesDir() {
        return root + "leases/";
    }

    String marker(long lease) {
        return leasesDir() + leaseName(lease);
    }

    String leaseKeysDir() {
        return root + "lease-keys/";
    }

    String leaseKey(long lease, String key) {
        return leaseKeysDir() + leaseName(lease) + "/" + key;
    }

    static String leaseName(long lease) {
        return String.format("%016x", lease);
    }

    /** The lease id of a 16-hex-digit name, or 0 if the name is not one. */
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

    static byte[] counter(long revision) {
        return Long.toString(revision).getBytes(StandardCharsets.US_ASCII);
    }

    static long parseCounter(String consulKey, byte[] value) {
        try {
            return Long.parseLong(new String(value, StandardCharsets.US_ASCII));
        } catch (NumberFormatException e) {
            throw new KvFormatException("Consul key " + consulKey + " should hold a decimal revision");
        }
    }
}
