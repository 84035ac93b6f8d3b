package dev.berth.migrate.transfer;

/** Told the stream bytes moved so far in a round, as they move (about every 128 KiB; from the moving thread). */
@FunctionalInterface
public interface Progress {
    /** Ignores progress. */
    Progress NONE = bytes -> { };

    void bytes(long soFar);
}
