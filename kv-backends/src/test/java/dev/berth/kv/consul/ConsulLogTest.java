package dev.berth.kv.consul;

import dev.berth.kv.log.KeyData;
import dev.berth.kv.log.LogEntry;
import dev.berth.kv.log.KvFormatException;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.kv.KeyValue;
import dev.berth.kv.WatchEvent;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The layout, the key and log codecs, log block reads and a listing's replay, without a server. */
@Tag("unit")
class ConsulLogTest {
    private static final ConsulLayout L = new ConsulLayout("berth");

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static KvEntry logEntry(long r, LogEntry e) {
        return new KvEntry(L.log(r), e.encode(), r, r, 0, 0, "");
    }

    @Test
    void layout_namesSortByRevisionAndMapBack() {
        assertEquals("berth/log/0000000000000000042", L.log(42));
        assertEquals(42, L.revisionOf(L.log(42)));
        assertEquals(-1, L.revisionOf("berth/log/42"));
        assertEquals(-1, L.revisionOf("berth/keys/x"));
        assertEquals("berth/keys/a/b", L.key("a/b"));
        assertEquals("a/b", L.storeKey("berth/keys/a/b"));
        assertNull(L.storeKey("berth/keys/folder/"));
        assertNull(L.storeKey("berth/log/0000000000000000001"));
        assertEquals("berth/leases/00000000000000ff", L.marker(255));
        assertEquals("berth/lease-keys/00000000000000ff/a/b", L.leaseKey(255, "a/b"));
        assertEquals(255, ConsulLayout.parseLeaseName("00000000000000ff"));
        assertEquals(0, ConsulLayout.parseLeaseName("ff"));
        assertEquals("head", new ConsulLayout("").head());
        assertEquals(17, ConsulLayout.parseCounter("k", ConsulLayout.counter(17)));
        assertThrows(KvFormatException.class, () -> ConsulLayout.parseCounter("k", b("x")));
    }

    @Test
    void layout_logBlocksCoverTheRangeInHundreds() {
        assertEquals(List.of("berth/log/00000000000000000"), L.logBlocks(1, 99));
        assertEquals(List.of("berth/log/00000000000000001", "berth/log/00000000000000002"), L.logBlocks(150, 230));
        assertTrue(L.log(150).startsWith(L.logBlocks(150, 150).get(0)));
    }

    @Test
    void keyData_roundTripsAndRefusesForeignData() {
        KeyData d = new KeyData(3, 9, 0xabcL, new byte[] {0, (byte) 0xff});
        assertEquals(d, KeyData.decode("k", d.encode()));
        assertEquals(new KeyValue("x", new byte[] {0, (byte) 0xff}, 3, 9, 0xabc), d.toKeyValue("x"));
        assertEquals(KeyData.HEADER, new KeyData(1, 1, 0, new byte[0]).encode().length);
        assertThrows(KvFormatException.class, () -> KeyData.decode("k", b("plain value")));
        assertThrows(KvFormatException.class, () -> KeyData.decode("k", new byte[0]));
    }

    @Test
    void logEntry_roundTripsAndBecomesEvents() {
        LogEntry put = LogEntry.put("a/b", b("v"), 4, 7, 99);
        assertEquals(put, LogEntry.decode("e", put.encode()));
        LogEntry del = LogEntry.delete("a/b", 5);
        assertEquals(del, LogEntry.decode("e", del.encode()));
        WatchEvent pe = put.toEvent(12);
        assertEquals(new KeyValue("a/b", b("v"), 4, 12, 7), pe.entry());
        assertEquals(12, pe.revision());
        assertEquals(WatchEvent.Type.DELETE, del.toEvent(13).type());
        assertThrows(KvFormatException.class, () -> LogEntry.decode("e", b("nope")));
    }

    @Test
    void contiguous_returnsEntriesInOrderUpToTheFirstGap() {
        List<KvEntry> raw = new ArrayList<>(List.of(
                logEntry(12, LogEntry.put("k", b("12"), 12, 0, 1)),
                logEntry(10, LogEntry.put("k", b("10"), 10, 0, 1)),
                logEntry(11, LogEntry.delete("k", 1)),
                logEntry(14, LogEntry.put("k", b("14"), 14, 0, 1)),
                logEntry(9, LogEntry.put("k", b("9"), 9, 0, 1))));
        List<LogReader.Entry> got = LogReader.contiguous(L, 10, 14, raw);
        assertEquals(List.of(10L, 11L, 12L), got.stream().map(LogReader.Entry::revision).toList(),
                "13 is missing: 14 must wait");
        assertEquals(List.of(), LogReader.contiguous(L, 13, 14, raw));
    }

    @Test
    void replay_givesTheStateAtTheSecondHead() {
        // read between head 10 and head 13: saw a=1 (old), b=2, c=3; meanwhile 11 put a, 12 deleted b, 13 other prefix
        TreeMap<String, KeyValue> seen = new TreeMap<>();
        seen.put("p/a", new KeyValue("p/a", b("1"), 5, 5, 0));
        seen.put("p/b", new KeyValue("p/b", b("2"), 6, 6, 0));
        seen.put("p/c", new KeyValue("p/c", b("3"), 7, 7, 0));
        List<LogReader.Entry> between = List.of(
                new LogReader.Entry(11, LogEntry.put("p/a", b("new"), 5, 0, 1)),
                new LogReader.Entry(12, LogEntry.delete("p/b", 2)),
                new LogReader.Entry(13, LogEntry.put("q/x", b("x"), 13, 0, 3)));
        assertTrue(ConsulReader.replay("p/", seen, 10, 13, between));
        assertEquals(List.of("p/a", "p/c"), List.copyOf(seen.keySet()));
        assertEquals(new KeyValue("p/a", b("new"), 5, 11, 0), seen.get("p/a"));
    }

    @Test
    void replay_refusesARangeWithAGap() {
        TreeMap<String, KeyValue> seen = new TreeMap<>();
        assertFalse(ConsulReader.replay("", seen, 10, 13,
                List.of(new LogReader.Entry(11, LogEntry.delete("a", 1)))));
        assertTrue(ConsulReader.replay("", seen, 10, 10, List.of()));
    }
}
