package dev.berth.kv.consul;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The trimmer's and the lease reaper's decisions, without a server. */
@Tag("unit")
class ConsulHousekeepingTest {
    private static final ConsulLayout L = new ConsulLayout("berth");

    @Test
    void trimmer_keepsTheLastEntriesAndOnlyRaisesTheFloor() {
        assertEquals(-1, LogTrimmer.newFloor(100, 0, 100), "nothing beyond what is kept");
        assertEquals(50, LogTrimmer.newFloor(150, 0, 100));
        assertEquals(-1, LogTrimmer.newFloor(150, 50, 100), "already trimmed there");
        assertEquals(-1, LogTrimmer.newFloor(150, 60, 100), "never lowered");
        assertEquals(1, LogTrimmer.every(5));
        assertEquals(1000, LogTrimmer.every(100_000));
    }

    @Test
    void trimmer_deletesFloorPlusOneToTheNewFloorIn64s() {
        List<List<TxnOp>> txns = LogTrimmer.deletions(L, 50, 180);
        assertEquals(List.of(64, 64, 2), txns.stream().map(List::size).toList());
        assertEquals("delete " + L.log(51), txns.get(0).get(0).toString());
        assertEquals("delete " + L.log(180), txns.get(2).get(1).toString());
        assertTrue(LogTrimmer.deletions(L, 5, 5).isEmpty());
    }

    @Test
    void reaper_deadLeasesHaveIndexEntriesAndNoMarker() {
        List<String> index = List.of(
                "berth/lease-keys/00000000000000aa/net/peer1",
                "berth/lease-keys/00000000000000aa/dns/x",
                "berth/lease-keys/00000000000000bb/net/peer2",
                "berth/lease-keys/not-a-lease/k",
                "berth/lease-keys/00000000000000cc/");
        List<String> markers = List.of("berth/leases/00000000000000bb");
        Map<Long, List<String>> dead = LeaseReaper.dead(L, index, markers);
        assertEquals(Map.of(0xaaL, List.of("net/peer1", "dns/x")), dead);
        assertEquals(2, LeaseReaper.dead(L, index, List.of()).size());
        assertTrue(LeaseReaper.dead(L, List.of(), List.of()).isEmpty());
    }
}
