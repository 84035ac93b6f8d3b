package dev.berth.zfs;

/** A {@code zfs} call that failed; {@link #kind()} tells the cases the driver treats differently. */
public final class ZfsException extends RuntimeException {
    /** NOT_FOUND: no such dataset; EXISTS: already there; BUSY: in use; DEPENDENT: clones depend on it. */
    public enum Kind { NOT_FOUND, EXISTS, BUSY, DEPENDENT, INVALID, UNAVAILABLE, OTHER }

    private final Kind kind;

    public ZfsException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }

    /** The kind of failure a {@code zfs} error text describes (same words in OpenZFS and zfs-fuse). */
    static Kind classify(String stderr) {
        String s = stderr.toLowerCase(java.util.Locale.ROOT);
        if (s.contains("does not exist") || s.contains("no such pool") || s.contains("could not find any snapshots")) {
            return Kind.NOT_FOUND;
        }
        if (s.contains("already exists")) {
            return Kind.EXISTS;
        }
        if (s.contains("dependent clones") || s.contains("has children") || s.contains("more recent snapshots")) {
            return Kind.DEPENDENT;
        }
        if (s.contains("busy")) {
            return Kind.BUSY;
        }
        if (s.contains("zfs-fuse daemon") || s.contains("failed to initialize zfs library")
                || s.contains("connection refused") || s.contains("zfs_socket") || s.contains("unable to connect")
                || s.contains("/dev/zfs")) {
            return Kind.UNAVAILABLE;
        }
        if (s.contains("invalid") || s.contains("must be") || s.contains("bad property") || s.contains("too large")
                || s.contains("not supported")) {
            return Kind.INVALID;
        }
        return Kind.OTHER;
    }
}
