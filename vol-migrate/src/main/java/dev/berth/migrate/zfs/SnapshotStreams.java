package dev.berth.migrate.zfs;

import java.io.InputStream;
import java.io.OutputStream;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The ZFS send/receive boundary of a migration agent, shaped like the {@code zfs} command. Snapshots are full names
 * ({@code tank/berth/web@m1}); the incremental base may also be given as {@code @m0}. Every method throws
 * {@link dev.berth.migrate.MigrationException} whose kind says why: NOT_FOUND, CONFLICT (the target diverged or
 * does not hold the incremental source), UNSUPPORTED, UNAVAILABLE, TRUNCATED (a receive whose stream stopped early).
 *
 * <p>Implementation: {@link ZfsStreams} (the real command, OpenZFS 2.x or zfs-fuse 0.7).
 */
public interface SnapshotStreams {
    /**
     * Writes the send stream of {@code snapshot} to {@code out} (not closed) and returns the bytes written.
     * Equivalent to: {@code zfs send [-i FROM] SNAPSHOT}.
     *
     * @param fromOrNull the incremental base (an earlier snapshot of the same dataset), or null for a full stream
     */
    long send(String snapshot, String fromOrNull, OutputStream out);

    /**
     * Receives a stream read from {@code in} until its end into {@code dataset} and returns the bytes read.
     * Equivalent to: {@code zfs recv [-F] DATASET}. A stream that ends early or breaks leaves the dataset at its last
     * complete snapshot (ZFS applies a stream atomically) and throws TRUNCATED.
     *
     * @param force roll the target back to its latest snapshot first ({@code -F}), discarding changes made there
     */
    long receive(String dataset, InputStream in, boolean force);

    /** The snapshot's GUID, equal on every host holding that snapshot. Equivalent to: {@code zfs get guid}. */
    long guid(String snapshot);

    /** The snapshots of one dataset with their GUIDs, oldest first; empty when the dataset does not exist. */
    List<SnapshotId> snapshots(String dataset);

    /**
     * About how many bytes {@code zfs send [-i FROM] SNAPSHOT} would write. How exact depends on the ZFS: see
     * {@link ZfsStreams#estimateBytes}.
     */
    long estimateBytes(String snapshot, String fromOrNull);

    /**
     * Whether an interrupted receive can be resumed from a token ({@code zfs recv -s}, OpenZFS). When false, an
     * interrupted round is sent again whole from the last common snapshot.
     */
    boolean supportsResumableReceive();

    /**
     * The newest snapshot of {@code source} that {@code target} also holds, matched by GUID (names may differ, and a
     * same name with another GUID is a different snapshot). Both lists oldest first; the source's entry is returned.
     */
    static Optional<SnapshotId> lastCommonSnapshot(List<SnapshotId> source, List<SnapshotId> target) {
        Map<Long, SnapshotId> onTarget = new HashMap<>();
        for (SnapshotId t : target) {
            onTarget.put(t.guid(), t);
        }
        for (int i = source.size() - 1; i >= 0; i--) {
            if (onTarget.containsKey(source.get(i).guid())) {
                return Optional.of(source.get(i));
            }
        }
        return Optional.empty();
    }
}
