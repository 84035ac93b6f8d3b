package dev.berth.kv.consul;

import dev.berth.kv.KeyValue;
import dev.berth.kv.WatchEvent;
import dev.berth.kv.WatchListener;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Turns the answers of successive blocking queries on a prefix into watch events. Pure: the watch feeds it each
 * answer (its X-Consul-Index and the entries) and delivers what comes out.
 *
 * <p>Consul has no history: an answer is the prefix's current state. So the diff against the previous answer gives
 * <ul>
 * <li>a PUT for each key that is new or whose ModifyIndex changed, at that ModifyIndex;</li>
 * <li>a DELETE for each key that is gone, at the answer's X-Consul-Index (the only index known for it; several
 *     deletions in one answer share it, so revisions are non-decreasing there, not strictly increasing);</li>
 * </ul>
 * ordered by revision (then key). What this cannot see: a key written several times between two answers is
 * delivered once, with its last value; a key deleted and created again between two answers is delivered as one PUT
 * (with the new create revision). The first answer has nothing to diff against: a watch needs the state at its
 * starting revision (the listing it started from, which the store remembers), or else a first answer whose index is
 * still that revision; otherwise it resets (COMPACTED: there is no history to replay). An index lower than the last
 * one with a different state (Consul restored from a snapshot, or a new cluster) resets with RECONNECTED; a lower
 * index with the same state (the prefix's deletion tombstones were garbage-collected, which lowers its index) is
 * adopted silently.
 */
final class SnapshotDiff {
    /** The state of the prefix at an index: store key to entry. */
    record Snapshot(long index, Map<String, KeyValue> entries) {
        Snapshot {
            entries = Map.copyOf(entries);
        }
    }

    /** What one answer gave: events to deliver, or a reset (then the watch ends). */
    record Step(List<WatchEvent> events, WatchListener.ResetReason reset) {
        static Step of(List<WatchEvent> events) {
            return new Step(List.copyOf(events), null);
        }

        static Step reset(WatchListener.ResetReason reason) {
            return new Step(List.of(), reason);
        }
    }

    private final long afterRevision;
    private Snapshot previous;
    private long index;

    /** @param baseline the state at {@code afterRevision} if known (a listing at exactly that revision), else null */
    SnapshotDiff(long afterRevision, Snapshot baseline) {
        if (baseline != null && baseline.index() != afterRevision) {
            throw new IllegalArgumentException("baseline at " + baseline.index() + " for a watch after "
                    + afterRevision);
        }
        this.afterRevision = afterRevision;
        this.previous = baseline;
        this.index = afterRevision;
    }

    /** The index to send with the next blocking query. */
    long nextIndex() {
        return index;
    }

    Step accept(long answerIndex, Map<String, KeyValue> entries) {
        Snapshot now = new Snapshot(answerIndex, entries);
        if (answerIndex < index) {
            if (previous != null && previous.entries().equals(now.entries())) {
                // the prefix's tombstones were garbage-collected: same state, lower index; go on from there
                previous = now;
                index = answerIndex;
                return Step.of(List.of());
            }
            return Step.reset(WatchListener.ResetReason.RECONNECTED);
        }
        if (previous == null) {
            if (answerIndex != afterRevision) {
                return Step.reset(WatchListener.ResetReason.COMPACTED);
            }
            previous = now;
            return Step.of(List.of());
        }
        List<WatchEvent> events = diff(previous, now);
        previous = now;
        index = answerIndex;
        return Step.of(events);
    }

    static List<WatchEvent> diff(Snapshot before, Snapshot after) {
        List<WatchEvent> events = new ArrayList<>();
        for (KeyValue kv : new TreeMap<>(after.entries()).values()) {
            KeyValue old = before.entries().get(kv.key());
            if ((old == null || old.modRevision() != kv.modRevision()) && kv.modRevision() > before.index()) {
                events.add(new WatchEvent(WatchEvent.Type.PUT, kv, kv.modRevision()));
            }
        }
        for (String key : new TreeMap<>(before.entries()).keySet()) {
            if (!after.entries().containsKey(key)) {
                long rev = after.index();
                events.add(new WatchEvent(WatchEvent.Type.DELETE, new KeyValue(key, new byte[0], 0, rev, 0), rev));
            }
        }
        events.sort(Comparator.comparingLong(WatchEvent::revision)
                .thenComparing(e -> e.type() == WatchEvent.Type.DELETE)
                .thenComparing(WatchEvent::key));
        return events;
    }
}
