package dev.berth.migrate.transfer;

import dev.berth.migrate.MigrationException;
import dev.berth.migrate.MigrationException.Kind;

/**
 * The receiver's answers in a round: once after the header ("ready", or why not), once after the stream (the
 * received snapshot's GUID and byte count, or why it failed).
 *
 * @param ok      whether the step succeeded
 * @param guid    after the stream: the GUID of the snapshot now on the receiver (unsigned decimal)
 * @param bytes   after the stream: the stream bytes the receiver read
 * @param kind    on failure: a {@link MigrationException.Kind} name
 * @param message on failure: the receiver's reason
 */
record Reply(boolean ok, String guid, Long bytes, String kind, String message) {
    public static Reply ready() {
        return new Reply(true, null, null, null, null);
    }

    public static Reply received(long guid, long bytes) {
        return new Reply(true, Long.toUnsignedString(guid), bytes, null, null);
    }

    public static Reply failed(MigrationException e) {
        return new Reply(false, null, null, e.kind().name(), e.getMessage());
    }

    /** The receiver's failure as an exception on this side (an unknown kind becomes INTERNAL). */
    public MigrationException toException(String peer) {
        Kind k;
        try {
            k = Kind.valueOf(kind);
        } catch (IllegalArgumentException | NullPointerException e) {
            k = Kind.INTERNAL;
        }
        return new MigrationException(k, "receiver " + peer + ": " + message);
    }
}
