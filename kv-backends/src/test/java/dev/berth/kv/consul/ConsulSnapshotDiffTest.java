package dev.berth.kv.consul;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.kv.KeyValue;
import dev.berth.kv.WatchEvent;
import dev.berth.kv.WatchListener.ResetReason;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** How blocking-query answers become watch events, without a server. */
@Tag("unit")
class ConsulSnapshotDiffTest {
    private static KeyValue kv(String key, String value, long create, long modify) {
        return new KeyValue(key, value.getBytes(StandardCharsets.UTF_8), create, modify, 0);
    }

    private static Map<String, KeyValue> state(KeyValue... entries) {
        Map<String, KeyValue> m = new HashMap<>();
        for (KeyValue e : entries) {
            m.put(e.key(), e);
        }
        return m;
    }

    private static List<String> described(List<WatchEvent> events) {
        return events.stream().map(e -> e.type() + " " + e.key() + "@" + e.revision()).toList();
    }

    @Test
    void diff_putsNewAndChangedKeysAtTheirModifyIndexAndDeletesAtTheAnswerIndex() {
        SnapshotDiff.Snapshot before = new SnapshotDiff.Snapshot(10,
                state(kv("a", "1", 3, 3), kv("b", "1", 4, 9), kv("gone", "x", 5, 5)));
        SnapshotDiff.Snapshot after = new SnapshotDiff.Snapshot(20,
                state(kv("a", "1", 3, 3), kv("b", "2", 4, 15), kv("new", "n", 12, 12)));
        assertEquals(List.of("PUT new@12", "PUT b@15", "DELETE gone@20"),
                described(SnapshotDiff.diff(before, after)));
        WatchEvent b = SnapshotDiff.diff(before, after).get(1);
        assertEquals("2", b.entry().text());
        assertEquals(4, b.entry().createRevision());
    }

    @Test
    void diff_ordersByRevisionThenPutsBeforeDeletesThenKey() {
        SnapshotDiff.Snapshot before = new SnapshotDiff.Snapshot(10, state(kv("x", "1", 1, 1), kv("y", "1", 1, 1)));
        SnapshotDiff.Snapshot after = new SnapshotDiff.Snapshot(30,
                state(kv("z", "1", 30, 30), kv("c", "1", 11, 11)));
        assertEquals(List.of("PUT c@11", "PUT z@30", "DELETE x@30", "DELETE y@30"),
                described(SnapshotDiff.diff(before, after)));
    }

    @Test
    void diff_deletedAndRecreatedBetweenAnswersIsOnePutWithTheNewCreateRevision() {
        SnapshotDiff.Snapshot before = new SnapshotDiff.Snapshot(10, state(kv("k", "old", 2, 2)));
        SnapshotDiff.Snapshot after = new SnapshotDiff.Snapshot(14, state(kv("k", "new", 13, 14)));
        List<WatchEvent> ev = SnapshotDiff.diff(before, after);
        assertEquals(List.of("PUT k@14"), described(ev));
        assertEquals(13, ev.get(0).entry().createRevision());
    }

    @Test
    void watch_fromARememberedListingSeesDeletesMadeBeforeTheFirstAnswer() {
        SnapshotDiff d = new SnapshotDiff(10, new SnapshotDiff.Snapshot(10, state(kv("w/existing", "0", 5, 5))));
        assertEquals(10, d.nextIndex());
        SnapshotDiff.Step s = d.accept(17, state(kv("w/existing", "2", 5, 16)));
        assertNull(s.reset());
        assertEquals(List.of("PUT w/existing@16"), described(s.events()));
        assertEquals(17, d.nextIndex());
        s = d.accept(25, state());
        assertEquals(List.of("DELETE w/existing@25"), described(s.events()));
    }

    @Test
    void watch_withoutABaselineStartsOnlyIfNothingChangedSinceItsRevision() {
        SnapshotDiff quiet = new SnapshotDiff(10, null);
        SnapshotDiff.Step first = quiet.accept(10, state(kv("a", "1", 3, 3)));
        assertNull(first.reset());
        assertTrue(first.events().isEmpty());
        assertEquals(List.of("PUT a@12"), described(quiet.accept(12, state(kv("a", "2", 3, 12))).events()));

        SnapshotDiff moved = new SnapshotDiff(10, null);
        assertEquals(ResetReason.COMPACTED, moved.accept(11, state(kv("a", "1", 3, 11))).reset());
    }

    @Test
    void watch_anIndexGoingBackwardsWithAnotherStateResetsReconnected() {
        SnapshotDiff d = new SnapshotDiff(10, new SnapshotDiff.Snapshot(10, state(kv("a", "1", 3, 3))));
        d.accept(20, state(kv("a", "2", 3, 20)));
        assertEquals(ResetReason.RECONNECTED, d.accept(5, state(kv("a", "1", 3, 3))).reset());
    }

    @Test
    void watch_anIndexGoingBackwardsWithTheSameStateIsTombstoneCollectionAndGoesOn() {
        SnapshotDiff d = new SnapshotDiff(10, new SnapshotDiff.Snapshot(10, state(kv("a", "1", 3, 3),
                kv("b", "1", 4, 4))));
        assertEquals(List.of("DELETE b@20"), described(d.accept(20, state(kv("a", "1", 3, 3))).events()));
        SnapshotDiff.Step s = d.accept(3, state(kv("a", "1", 3, 3)));
        assertNull(s.reset());
        assertTrue(s.events().isEmpty());
        assertEquals(3, d.nextIndex());
        assertEquals(List.of("PUT a@30"), described(d.accept(30, state(kv("a", "2", 3, 30))).events()));
    }

    @Test
    void watch_anAnswerWithoutChangeGivesNoEvents() {
        SnapshotDiff d = new SnapshotDiff(10, new SnapshotDiff.Snapshot(10, state(kv("a", "1", 3, 3))));
        assertTrue(d.accept(10, state(kv("a", "1", 3, 3))).events().isEmpty());
    }

    @Test
    void baseline_mustBeAtTheWatchedRevision() {
        assertThrows(IllegalArgumentException.class,
                () -> new SnapshotDiff(10, new SnapshotDiff.Snapshot(9, state())));
    }
}
