package dev.berth.zfs;

import dev.berth.host.ManualClock;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("unit")
class SnapshotCommandsTest {
    private Volumes volumes;
    private SnapshotCommands commands;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @BeforeEach
    void fresh() {
        FakeZfs zfs = new FakeZfs();
        zfs.pool("tank");
        volumes = new Volumes(zfs, "tank/berth", new ManualClock(Instant.parse("2026-11-24T08:00:00Z")),
                Duration.ofMillis(1));
        volumes.ensureParent();
        volumes.create("web", CreateOptions.none());
        commands = new SnapshotCommands(volumes);
    }

    private int run(String... args) {
        out.reset();
        err.reset();
        return commands.run(List.of(args), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void createListCloneRollbackDelete() {
        assertEquals(0, run("create", "web", "daily"));
        assertEquals("created web@daily\n", out.toString(StandardCharsets.UTF_8));
        assertEquals(0, run("ls", "web"));
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("daily"), out.toString(StandardCharsets.UTF_8));
        assertEquals(0, run("clone", "web", "daily", "web2", "-o", "size=1G"));
        assertEquals("1073741824", volumes.info("web2").status().get("size"));
        assertEquals(0, run("rollback", "web", "daily"));
        assertEquals(1, run("rm", "web", "daily"));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("web2 from daily"), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void mistakes_getUsageOrAClearError() {
        assertEquals(2, run());
        assertEquals(2, run("frobnicate"));
        assertEquals(2, run("create", "web"));
        assertEquals(2, run("clone", "web", "s", "new", "-o", "nokey"));
        assertEquals(1, run("create", "nope", "s1"));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("no such volume: nope"));
        assertEquals(1, run("rollback", "web", "missing"));
        assertEquals(1, run("create", "web", "bad/name"));
    }

    @Test
    void rollbackOfAMountedVolume_needsForce() {
        run("create", "web", "s1");
        volumes.mount("web", "c1");
        assertEquals(1, run("rollback", "web", "s1"));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("--force"));
        assertEquals(0, run("rollback", "web", "s1", "--force"));
    }
}
