package dev.berth.migrate.transfer;

import dev.berth.migrate.MigrationException;
import dev.berth.migrate.MigrationException.Kind;
import java.util.regex.Pattern;

/**
 * What the sender announces before a round's stream. GUIDs travel as unsigned decimal strings (a GUID is an unsigned
 * 64-bit number, beyond what JSON numbers carry safely).
 *
 * @param protocol  {@link #PROTOCOL}; a receiver refuses any other
 * @param volume    the Docker volume name, for the receiver's logs and progress
 * @param dataset   the dataset to receive into, on the receiving host (under the receiver's parent)
 * @param snapshot  the snapshot's short name (after {@code @}), the same on both hosts
 * @param from      the incremental base's short name, or null for a full stream
 * @param guid      the snapshot's GUID on the sender
 * @param fromGuid  the incremental base's GUID on the sender (the receiver checks it holds that very snapshot), or null
 * @param bytes     the sender's estimate of the stream size, or null
 */
public record RoundHeader(int protocol, String volume, String dataset, String snapshot, String from, String guid,
                          String fromGuid, Long bytes) {
    /** The protocol version this code speaks. */
    public static final int PROTOCOL = 1;
    private static final Pattern DATASET = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.:-]*(/[A-Za-z0-9][A-Za-z0-9_.:-]*)*");
    private static final Pattern SHORT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.:-]{0,200}");
    private static final Pattern GUID = Pattern.compile("[0-9]{1,20}");

    /** A header for this code's protocol. */
    public static RoundHeader of(String volume, String dataset, String snapshot, String from, long guid, Long fromGuid,
                                 Long bytes) {
        return new RoundHeader(PROTOCOL, volume, dataset, snapshot, from, Long.toUnsignedString(guid),
                fromGuid == null ? null : Long.toUnsignedString(fromGuid), bytes);
    }

    /**
     * Checks every field, as a receiver must before acting on a header from the network.
     *
     * @throws MigrationException PROTOCOL for another protocol version, BAD_REQUEST for a malformed field
     */
    public RoundHeader validated() {
        if (protocol != PROTOCOL) {
            throw new MigrationException(Kind.PROTOCOL, "protocol " + protocol + " (this agent speaks " + PROTOCOL
                    + ")");
        }
        check(volume != null && SHORT.matcher(volume).matches(), "volume", volume);
        check(dataset != null && dataset.length() <= 255 && DATASET.matcher(dataset).matches()
                && !dataset.contains("/../") && !dataset.endsWith("/.."), "dataset", dataset);
        check(snapshot != null && SHORT.matcher(snapshot).matches(), "snapshot", snapshot);
        check(from == null || SHORT.matcher(from).matches(), "from", from);
        check(guid != null && GUID.matcher(guid).matches(), "guid", guid);
        check((from == null) == (fromGuid == null), "fromGuid (given exactly with from)", fromGuid);
        check(fromGuid == null || GUID.matcher(fromGuid).matches(), "fromGuid", fromGuid);
        check(bytes == null || bytes >= 0, "bytes", bytes);
        check(!snapshot.equals(from), "from (differs from snapshot)", from);
        return this;
    }

    private static void check(boolean ok, String field, Object value) {
        if (!ok) {
            throw new MigrationException(Kind.BAD_REQUEST, "bad round header field " + field + ": " + value);
        }
    }

    /** Whether this round is an incremental. */
    public boolean incremental() {
        return from != null;
    }

    /** {@code dataset@snapshot} on the receiving host. */
    public String targetSnapshot() {
        return dataset + "@" + snapshot;
    }

    public long guidValue() {
        return Long.parseUnsignedLong(guid);
    }
}
