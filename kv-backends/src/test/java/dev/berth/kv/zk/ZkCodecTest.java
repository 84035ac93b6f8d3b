package dev.berth.kv.zk;

import dev.berth.kv.log.KeyData;
import dev.berth.kv.log.LogEntry;
import dev.berth.kv.log.KvFormatException;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.kv.KeyValue;
import dev.berth.kv.WatchEvent;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The znode formats and names of the ZooKeeper store, without a server. */
@Tag("unit")
class ZkCodecTest {
    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void keyData_roundTripsWithItsRevisionsAndLease() {
        KeyData d = new KeyData(7, 42, 0x1234_5678_9abc_def0L, b("value"));
        byte[] encoded = d.encode();
        assertEquals(KeyData.HEADER + 5, encoded.length);
        assertEquals(Optional.of(d), KeyData.decodeNode("/k", encoded));
        KeyValue kv = d.toKeyValue("a/b");
        assertEquals(new KeyValue("a/b", b("value"), 7, 42, 0x1234_5678_9abc_def0L), kv);
    }

    @Test
    void keyData_emptyValueIsStillAKeyButEmptyDataIsAnInteriorNode() {
        byte[] encoded = new KeyData(1, 1, 0, new byte[0]).encode();
        assertEquals(KeyData.HEADER, encoded.length);
        assertTrue(KeyData.decodeNode("/k", encoded).isPresent());
        assertEquals(Optional.empty(), KeyData.decodeNode("/k", new byte[0]));
        assertEquals(Optional.empty(), KeyData.decodeNode("/k", null));
    }

    @Test
    void keyData_binaryValuesSurvive() {
        byte[] all = new byte[256];
        for (int i = 0; i < all.length; i++) {
            all[i] = (byte) i;
        }
        assertArrayEquals(all, KeyData.decodeNode("/k", new KeyData(1, 2, 0, all).encode()).orElseThrow().value());
    }

    @Test
    void keyData_foreignDataIsRefusedWithTheZnodeName() {
        KvFormatException e = assertThrows(KvFormatException.class, () -> KeyData.decodeNode("/x/keys/k", b("hello")));
        assertTrue(e.getMessage().contains("/x/keys/k"), e.getMessage());
        byte[] newer = new KeyData(1, 1, 0, new byte[0]).encode();
        newer[1] = 9;
        assertThrows(KvFormatException.class, () -> KeyData.decodeNode("/k", newer));
    }

    @Test
    void logEntry_roundTripsEveryType() {
        List<LogEntry> entries = new ArrayList<>();
        entries.add(LogEntry.genesis());
        entries.add(LogEntry.put("a/b", b("v"), 3, 0xabcdL, -5));
        entries.add(LogEntry.put("empty", new byte[0], 9, 0, 1));
        entries.add(LogEntry.delete("a/b", Long.MIN_VALUE));
        for (LogEntry e : entries) {
            assertEquals(e, LogEntry.decode("/log/1", e.encode()));
        }
    }

    @Test
    void logEntry_becomesTheWatchEventAtItsRevision() {
        WatchEvent put = LogEntry.put("k", b("v"), 3, 0xabL, 1).toEvent(8);
        assertEquals(WatchEvent.Type.PUT, put.type());
        assertEquals(new KeyValue("k", b("v"), 3, 8, 0xab), put.entry());
        assertEquals(8, put.revision());
        WatchEvent del = LogEntry.delete("k", 1).toEvent(9);
        assertEquals(WatchEvent.Type.DELETE, del.type());
        assertEquals(0, del.entry().value().length);
        assertEquals(9, del.revision());
        assertThrows(IllegalStateException.class, () -> LogEntry.genesis().toEvent(0));
    }

    @Test
    void logEntry_truncatedOrForeignDataIsRefused() {
        byte[] good = LogEntry.put("key", b("v"), 1, 0, 1).encode();
        byte[] truncated = java.util.Arrays.copyOf(good, 3 + 3 * Long.BYTES + Short.BYTES + 1);
        assertThrows(KvFormatException.class, () -> LogEntry.decode("/log/1", truncated));
        assertThrows(KvFormatException.class, () -> LogEntry.decode("/log/1", b("not an entry at all, no")));
        byte[] badType = good.clone();
        badType[2] = 17;
        assertThrows(KvFormatException.class, () -> LogEntry.decode("/log/1", badType));
    }

    @Test
    void layout_logNamesSortByRevision() {
        List<String> names = new ArrayList<>(List.of(ZkLayout.logName(10), ZkLayout.logName(9),
                ZkLayout.logName(Long.MAX_VALUE), ZkLayout.logName(0)));
        names.sort(null);
        assertEquals(List.of(ZkLayout.logName(0), ZkLayout.logName(9), ZkLayout.logName(10),
                ZkLayout.logName(Long.MAX_VALUE)), names);
        assertEquals(19, ZkLayout.logName(1).length());
    }

    @Test
    void layout_pathsUnderThePrefixAndAtTheRoot() {
        ZkLayout l = new ZkLayout("berth/prod");
        assertEquals("/berth/prod", l.root());
        assertEquals("/berth/prod/keys/a/b", l.keyPath("a/b"));
        assertEquals("/berth/prod/log/0000000000000000042", l.logPath(42));
        assertEquals("/berth/prod/lease-keys/00000000000000ff/a~b", l.leaseKey(255, "a/b"));
        ZkLayout top = new ZkLayout("");
        assertEquals("/", top.root());
        assertEquals("/keys/zookeeper", top.keyPath("zookeeper"));
        assertEquals("/head", top.head());
    }

    @Test
    void layout_leaseNamesAndEscapedKeysRoundTrip() {
        for (long id : new long[] {1, 0x72f3_0a1b_0000_0001L, -1L}) {
            assertEquals(id, ZkLayout.parseLeaseName(ZkLayout.leaseName(id)));
        }
        assertEquals(0, ZkLayout.parseLeaseName("not-a-lease"));
        assertEquals("a/b.c/d", ZkLayout.unescape(ZkLayout.escape("a/b.c/d")));
        assertEquals(-1, ZkLayout.escape("a/b").indexOf('/'));
    }

    @Test
    void layout_revisionBytes() {
        assertEquals(1234567890123L, ZkLayout.revisionOf("/h", ZkLayout.revisionBytes(1234567890123L)));
        assertThrows(KvFormatException.class, () -> ZkLayout.revisionOf("/h", new byte[3]));
    }
}
