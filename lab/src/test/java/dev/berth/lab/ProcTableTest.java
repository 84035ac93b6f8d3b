package dev.berth.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("unit")
class ProcTableTest {
    @Test
    void parseStat_takesFieldsAfterTheLastParenthesis() {
        ProcTable.Proc p = ProcTable.parseStat(42, "42 (weird ) name) S 7 42 42 0 -1 4194560 100", "x", 5);
        assertEquals(7, p.ppid());
        assertEquals('S', p.state());
        assertFalse(p.zombie());
        assertTrue(ProcTable.parseStat(9, "9 (containerd-shim) Z 1 9 9 0", "", 0).zombie());
        assertThrows(IllegalArgumentException.class, () -> ProcTable.parseStat(1, "garbage", "", 0));
    }

    @Test
    void joinCmdline_turnsNulSeparatorsIntoSpaces() {
        byte[] raw = "dockerd\0--data-root\0/var/lib/berth-lab/h1/docker\0".getBytes(StandardCharsets.UTF_8);
        assertEquals("dockerd --data-root /var/lib/berth-lab/h1/docker", ProcTable.joinCmdline(raw));
        assertEquals("", ProcTable.joinCmdline(new byte[0]));
    }

    @Test
    void parseNsLink_readsTheInode() {
        assertEquals(4026532178L, ProcTable.parseNsLink("net:[4026532178]"));
        assertEquals(0, ProcTable.parseNsLink("garbage"));
    }

    @Test
    void descendantsOf_followsChildrenAndSkipsZombies() {
        ProcTable t = new ProcTable(List.of(
                proc(1, 0, 'S'), proc(10, 1, 'S'), proc(11, 10, 'S'), proc(12, 11, 'S'),
                proc(13, 11, 'Z'), proc(20, 1, 'S'), proc(21, 20, 'S')));
        assertEquals(Set.of(11L, 12L), t.descendantsOf(List.of(10L)));
        assertEquals(Set.of(), t.descendantsOf(List.of(12L)));
        assertEquals(Set.of(10L, 11L, 12L, 20L, 21L), t.descendantsOf(List.of(1L)));
    }

    @Test
    void selfAndAncestors_climbsToPidOne() {
        ProcTable t = new ProcTable(List.of(proc(1, 0, 'S'), proc(10, 1, 'S'), proc(11, 10, 'S')));
        assertEquals(Set.of(11L, 10L, 1L), t.selfAndAncestors(11));
    }

    @Test
    void matching_skipsZombies() {
        ProcTable t = new ProcTable(List.of(proc(5, 1, 'S'), proc(6, 1, 'Z')));
        assertEquals(Set.of(5L), t.matching(p -> true));
    }

    @Test
    void snapshot_ofTheRealProcTable_findsThisProcessAndItsParent() {
        ProcTable t = ProcTable.snapshot();
        long self = ProcessHandle.current().pid();
        assertTrue(t.alive(self));
        assertTrue(t.cmdline(self).contains("java"), t.cmdline(self));
        assertTrue(t.selfAndAncestors(self).contains(ProcessHandle.current().parent().orElseThrow().pid()));
        assertTrue(ProcTable.aliveNow(self));
        assertFalse(ProcTable.aliveNow(Long.MAX_VALUE / 2));
    }

    private static ProcTable.Proc proc(long pid, long ppid, char state) {
        return new ProcTable.Proc(pid, ppid, state, "p" + pid, 0);
    }
}
