package dev.berth.migrate.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.migrate.MigrationException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@Tag("unit")
class JournalAndWireTest {
    @TempDir
    Path tmp;

    @Test
    void aJournalEntry_survivesAsWritten_throughEachPhase_andIsGoneWhenRemoved() {
        Journal j = new Journal(tmp.resolve("journal"));
        assertTrue(j.pending().isEmpty(), "no directory yet: nothing pending");
        Journal.Entry e = new Journal.Entry("m1", "db", "c0ffee", "host2", "always", 0, false, List.of("data"),
                null, "stopped");
        j.write(e);
        assertEquals(List.of(e), j.pending());
        Journal.Entry committed = e.withFinals(List.of(new AgentWire.Volume("data", "berth-migrate-m1-3", "42",
                Map.of("quota", "none")))).at("committed");
        j.write(committed);
        assertEquals(List.of(committed), new Journal(tmp.resolve("journal")).pending(), "read by a new agent");
        j.remove("m1");
        assertTrue(j.pending().isEmpty());
        assertFalse(Files.exists(tmp.resolve("journal/.m1.tmp")), "no temporary file left");
    }

    @Test
    void requestsAndReplies_roundTrip_andAFailedReplyBecomesItsKind() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        AgentWire.Request r = new AgentWire.Request("prepare", "m1", SourceMigration.nameOnly("db"), "sha256:ab",
                List.of(AgentWire.Volume.named("data")));
        AgentWire.write(out, r);
        AgentWire.Request back = AgentWire.read(new ByteArrayInputStream(out.toByteArray()), AgentWire.Request.class);
        assertEquals("prepare", back.op());
        assertEquals("/db", back.inspect().get("Name").asText());
        assertEquals("data", back.volumes().get(0).name());

        AgentWire.Reply failed = AgentWire.Reply.failed(new MigrationException(MigrationException.Kind.CONFLICT,
                "host h2 already has a container named db"));
        out.reset();
        AgentWire.write(out, failed);
        AgentWire.Reply got = AgentWire.read(new ByteArrayInputStream(out.toByteArray()), AgentWire.Reply.class);
        assertFalse(got.ok());
        MigrationException e = got.toException("h2");
        assertEquals(MigrationException.Kind.CONFLICT, e.kind());
        assertTrue(e.getMessage().contains("already has a container named db"), e.getMessage());
    }

    @Test
    void aFrameOverTheLimit_orWithABadLength_isRefused() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new DataOutputStream(out).writeInt(AgentWire.MAX_FRAME + 1);
        MigrationException e = assertThrows(MigrationException.class, () -> AgentWire.read(
                new ByteArrayInputStream(out.toByteArray()), AgentWire.Reply.class));
        assertEquals(MigrationException.Kind.PROTOCOL, e.kind());
        out.reset();
        new DataOutputStream(out).writeInt(5);
        out.write("nope!".getBytes());
        assertEquals(MigrationException.Kind.PROTOCOL, assertThrows(MigrationException.class,
                () -> AgentWire.read(new ByteArrayInputStream(out.toByteArray()), AgentWire.Reply.class)).kind());
    }

    @Test
    void theStagingParent_isInTheVolumesPool() {
        assertEquals("tank/berth-incoming", TargetService.stagingFor("tank/berth"));
        assertEquals("tank/berth-incoming", TargetService.stagingFor("tank/a/b"));
        assertEquals("tank/berth-incoming", TargetService.stagingFor("tank"));
    }
}
