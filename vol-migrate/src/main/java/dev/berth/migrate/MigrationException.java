package dev.berth.migrate;

import java.util.Objects;

/**
 * The one unchecked error of the migration layer; {@link #kind()} says what went wrong, in the words the
 * orchestration acts on (retry the round, fall back to a full send, refuse the peer, give up).
 */
public final class MigrationException extends RuntimeException {
    /**
     * <ul>
     *   <li>BAD_REQUEST: a caller or peer asked for something malformed (bad name, bad header, bad config)</li>
     *   <li>NOT_FOUND: a dataset or snapshot does not exist</li>
     *   <li>CONFLICT: the target holds something else (diverged, already exists, not the incremental source)</li>
     *   <li>UNSUPPORTED: this ZFS lacks the flag or feature (zfs-fuse 0.7 against OpenZFS flags)</li>
     *   <li>UNAVAILABLE: zfs is not answering, or the peer cannot be reached</li>
     *   <li>TRUNCATED: a stream ended before its end; the target stays at its last complete snapshot</li>
     *   <li>UNTRUSTED: the peer's certificate is not pinned, or TLS failed</li>
     *   <li>PROTOCOL: the peer spoke something else, or both sides disagree (GUID mismatch)</li>
     *   <li>INTERNAL: anything else (a zfs error we do not recognise, a local I/O failure)</li>
     * </ul>
     */
    public enum Kind { BAD_REQUEST, NOT_FOUND, CONFLICT, UNSUPPORTED, UNAVAILABLE, TRUNCATED, UNTRUSTED, PROTOCOL,
        INTERNAL }

    private final Kind kind;

    public MigrationException(Kind kind, String message) {
        this(kind, message, null);
    }

    public MigrationException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = Objects.requireNonNull(kind, "kind");
    }

    public Kind kind() {
        return kind;
    }

    @Override
    public String toString() {
        return "MigrationException(" + kind + "): " + getMessage();
    }
}
