package dev.berth.migrate.zfs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.migrate.MigrationException;
import dev.berth.migrate.MigrationException.Kind;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("unit")
class SnapshotStreamsTest {
    @Test
    void lastCommonSnapshot_isTheNewestSourceSnapshotWhoseGuidTheTargetHolds() {
        var source = List.of(new SnapshotId("a/v@m1", 1), new SnapshotId("a/v@m2", 2), new SnapshotId("a/v@m3", 3));
        var target = List.of(new SnapshotId("b/v@m1", 1), new SnapshotId("b/v@m2", 2));
        assertEquals(Optional.of(source.get(1)), SnapshotStreams.lastCommonSnapshot(source, target));
    }

    @Test
    void lastCommonSnapshot_ignoresSameNamesWithOtherGuids() {
        var source = List.of(new SnapshotId("a/v@m1", 1), new SnapshotId("a/v@m2", 2));
        var target = List.of(new SnapshotId("b/v@m1", 1), new SnapshotId("b/v@m2", 99));
        assertEquals("a/v@m1", SnapshotStreams.lastCommonSnapshot(source, target).orElseThrow().name());
        assertEquals(Optional.empty(), SnapshotStreams.lastCommonSnapshot(source, List.of(new SnapshotId("b/v@m1", 7))));
        assertEquals(Optional.empty(), SnapshotStreams.lastCommonSnapshot(List.of(), target));
    }

    @Test
    void snapshotId_splitsNameAndRefusesDatasets() {
        var id = new SnapshotId("tank/berth/web@m1", -1);
        assertEquals("tank/berth/web", id.dataset());
        assertEquals("m1", id.shortName());
        assertThrows(IllegalArgumentException.class, () -> new SnapshotId("tank/berth/web", 1));
    }

    @Test
    void zfsErrors_areClassifiedFromWhatZfsFuseAndOpenZfsSay() {
        assertEquals(Kind.UNSUPPORTED, ZfsStreamErrors.classify(2, "invalid option 'n'\nusage:\n\tsend [-RDp]"));
        assertEquals(Kind.TRUNCATED, ZfsStreamErrors.classify(1,
                "cannot receive incremental stream: invalid backup stream"));
        assertEquals(Kind.TRUNCATED, ZfsStreamErrors.classify(1,
                "cannot receive new filesystem stream: checksum mismatch or incomplete stream"));
        assertEquals(Kind.TRUNCATED, ZfsStreamErrors.classify(1, "cannot receive: failed to read from stream"));
        assertEquals(Kind.CONFLICT, ZfsStreamErrors.classify(1,
                "cannot receive incremental stream: most recent snapshot of p/a does not\nmatch incremental source"));
        assertEquals(Kind.CONFLICT, ZfsStreamErrors.classify(1,
                "cannot receive incremental stream: destination p/a has been modified\nsince most recent snapshot"));
        assertEquals(Kind.CONFLICT, ZfsStreamErrors.classify(1,
                "cannot receive new filesystem stream: destination 'p/a' exists"));
        assertEquals(Kind.CONFLICT, ZfsStreamErrors.classify(1,
                "warning: cannot send 'p/a@s1': not an earlier snapshot from the same fs"));
        assertEquals(Kind.NOT_FOUND, ZfsStreamErrors.classify(1, "WARNING: could not send p/a@nope: does not exist"));
        assertEquals(Kind.UNAVAILABLE, ZfsStreamErrors.classify(1,
                "connect: Connection refused\nPlease make sure that the zfs-fuse daemon is running."));
        assertEquals(Kind.INTERNAL, ZfsStreamErrors.classify(1, "cannot receive: out of space"));
        MigrationException e = ZfsStreamErrors.of("zfs recv p/a", 1, "x\ny\n");
        assertTrue(e.getMessage().contains("exit 1") && e.getMessage().contains("x y"), e.getMessage());
    }

    @Test
    void dryRunSize_isReadFromTheParsableSizeLine() {
        assertEquals(2110264, ZfsStreams.parseDryRunSize("incremental\ts1\tp/a@s2\t2110264\nsize\t2110264\n"));
        assertThrows(MigrationException.class, () -> ZfsStreams.parseDryRunSize("nothing here"));
    }
}
