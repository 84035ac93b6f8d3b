package dev.berth.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@Tag("unit")
class LabStateTest {
    private final LabState state = new LabState(3, true, LabState.RUNNING,
            Map.of("h1", 101L, "h2", 102L, "h3", 103L, "etcd", 99L));

    @Test
    void format_roundTripsThroughParse() {
        assertEquals(state, LabState.parse(state.format()));
    }

    @Test
    void format_isSortedAndStable() {
        String text = state.format();
        assertEquals(text, new LabState(3, true, LabState.RUNNING,
                Map.of("etcd", 99L, "h3", 103L, "h2", 102L, "h1", 101L)).format());
        assertTrue(text.indexOf("hosts=") < text.indexOf("pid.h1="), text);
        assertTrue(text.contains("pid.etcd=99\n"), text);
    }

    @Test
    void withPidAndStatus_returnUpdatedCopies() {
        LabState s = new LabState(1, false, LabState.STARTING, Map.of()).withPid("h1", 7);
        assertEquals(Map.of("h1", 7L), s.pids());
        assertFalse(s.running());
        assertTrue(s.withStatus(LabState.RUNNING).running());
    }

    @Test
    void parse_rejectsCorruptOrForeignState() {
        assertThrows(LabException.class, () -> LabState.parse("hosts=3\n"));
        assertThrows(LabException.class, () -> LabState.parse("format=1\nhosts=x\n"));
        assertThrows(LabException.class, () -> LabState.parse("format=1\nhosts=12\n"));
        assertThrows(LabException.class, () -> LabState.parse("format=1\nhosts=2\npid.h1=abc\n"));
    }

    @Test
    void readAndWrite_useTheFileAndTolerateItsAbsence(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("run/lab.properties");
        assertTrue(LabState.read(file).isEmpty());
        state.write(file);
        assertEquals(state, LabState.read(file).orElseThrow());
        assertFalse(Files.exists(dir.resolve("run/lab.properties.tmp")));
    }
}
