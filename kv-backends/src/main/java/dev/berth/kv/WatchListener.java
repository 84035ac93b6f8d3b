package dev.berth.kv;

import java.util.List;

/**
 * Receives a watch's changes on one thread, in revision order. Exceptions thrown here end the watch and are reported
 * to {@link #onError}.
 */
public interface WatchListener {
    /**
     * A batch of changes in revision order: revisions never decrease within a batch (one transaction may delete
     * several keys at one revision) and every batch's revisions are greater than any delivered before.
     */
    void onEvents(List<WatchEvent> events);

    /** The store cannot prove nothing was missed; the watch has ended. List again and watch from the new revision. */
    void onReset(ResetReason reason);

    /** The watch failed for good (for example the listener threw); it has ended. */
    void onError(KvException error);

    enum ResetReason {
        /** The requested revision is older than the store's retained history. */
        COMPACTED,
        /** The connection was lost for longer than the store could bridge. */
        RECONNECTED
    }
}
