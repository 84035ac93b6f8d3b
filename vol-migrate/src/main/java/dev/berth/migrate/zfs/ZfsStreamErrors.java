package dev.berth.migrate.zfs;

import dev.berth.migrate.MigrationException;
import dev.berth.migrate.MigrationException.Kind;
import java.util.Locale;

/** Turns what {@code zfs send}/{@code recv}/{@code get} wrote on stderr into a typed error (OpenZFS and zfs-fuse). */
final class ZfsStreamErrors {
    private ZfsStreamErrors() {
    }

    static MigrationException of(String what, int exitCode, String stderr) {
        String text = stderr.strip();
        return new MigrationException(classify(exitCode, text), what + " failed (exit " + exitCode + "): "
                + (text.isEmpty() ? "no message" : text.replace('\n', ' ')));
    }

    static Kind classify(int exitCode, String stderr) {
        String s = stderr.toLowerCase(Locale.ROOT).replaceAll("\\s+", " "); // zfs wraps long messages
        if (s.contains("invalid option") || s.contains("unsupported") || s.contains("not supported")) {
            return Kind.UNSUPPORTED;
        }
        if (s.contains("zfs-fuse daemon") || s.contains("failed to initialize zfs library")
                || s.contains("connection refused") || s.contains("/dev/zfs")) {
            return Kind.UNAVAILABLE;
        }
        // a stream that stopped early: OpenZFS says "incomplete stream", zfs-fuse "invalid backup stream" or
        // "failed to read from stream" (when nothing at all arrived)
        if (s.contains("invalid backup stream") || s.contains("incomplete stream") || s.contains("checksum mismatch")
                || s.contains("failed to read from stream") || s.contains("premature")) {
            return Kind.TRUNCATED;
        }
        if (s.contains("does not match incremental source") || s.contains("has been modified")
                || s.contains("already exists") || s.contains("destination has snapshots")
                || s.contains("not an earlier snapshot") || s.contains("more recent snapshot")
                || s.contains("destination") && s.contains("exists")) {
            return Kind.CONFLICT;
        }
        if (s.contains("does not exist") || s.contains("no such pool") || s.contains("could not find")) {
            return Kind.NOT_FOUND;
        }
        if (exitCode == 2) {
            return Kind.BAD_REQUEST;
        }
        return Kind.INTERNAL;
    }
}
