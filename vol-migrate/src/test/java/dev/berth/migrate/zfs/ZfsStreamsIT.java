package dev.berth.migrate.zfs;

import static dev.berth.migrate.zfs.ZfsFusePool.zfs;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.migrate.MigrationException;
import dev.berth.migrate.MigrationException.Kind;
import dev.berth.zfs.ZfsCli;
import dev.berth.zfs.ZfsFlavor;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** {@link ZfsStreams} against the real {@code zfs} command: two zfs-fuse pools on file vdevs, streams in memory. */
@Tag("integration")
class ZfsStreamsIT {
    private static ZfsFusePool src;
    private static ZfsFusePool dst;
    private static int n;
    private final ZfsStreams streams = ZfsStreams.standard();
    private String a;
    private String b;

    @BeforeAll
    static void pools() {
        src = ZfsFusePool.create("bmigsrc", 256);
        dst = ZfsFusePool.create("bmigdst", 256);
    }

    @AfterAll
    static void destroy() {
        if (src != null) {
            src.close();
        }
        if (dst != null) {
            dst.close();
        }
    }

    @BeforeEach
    void datasets() {
        n++;
        a = src.name() + "/v" + n;
        b = dst.name() + "/v" + n;
        zfs("create", a);
    }

    static void write(Path file, int bytes, long seed) throws IOException {
        byte[] data = new byte[bytes];
        new Random(seed).nextBytes(data);
        Files.write(file, data, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE, StandardOpenOption.SYNC);
    }

    private byte[] sendToMemory(String snapshot, String from) {
        var out = new ByteArrayOutputStream();
        long bytes = streams.send(snapshot, from, out);
        assertEquals(out.size(), bytes);
        return out.toByteArray();
    }

    @Test
    void fullThenIncremental_keepGuidsAndData() throws IOException {
        write(src.mounted(a).resolve("f"), 2 << 20, 1);
        zfs("snapshot", a + "@m1");
        byte[] full = sendToMemory(a + "@m1", null);
        assertEquals(full.length, streams.receive(b, new ByteArrayInputStream(full), false));
        write(src.mounted(a).resolve("g"), 1 << 20, 2);
        zfs("snapshot", a + "@m2");
        byte[] inc = sendToMemory(a + "@m2", "@m1");
        assertTrue(inc.length < full.length, inc.length + " vs " + full.length);
        streams.receive(b, new ByteArrayInputStream(inc), true);

        assertEquals(streams.guid(a + "@m1"), streams.guid(b + "@m1"));
        assertEquals(streams.guid(a + "@m2"), streams.guid(b + "@m2"));
        assertNotEquals(streams.guid(a + "@m1"), streams.guid(a + "@m2"));
        List<SnapshotId> there = streams.snapshots(b);
        assertEquals(List.of("m1", "m2"), there.stream().map(SnapshotId::shortName).toList());
        assertEquals(a + "@m2", SnapshotStreams.lastCommonSnapshot(streams.snapshots(a), there).orElseThrow().name());
        for (String f : List.of("f", "g")) {
            assertArrayEquals(Files.readAllBytes(src.mounted(a).resolve(f)), Files.readAllBytes(dst.mounted(b).resolve(f)));
        }
    }

    @Test
    void incrementalCutHalfWay_leavesTheTargetAtItsLastSnapshot_andARetrySucceeds() throws IOException {
        write(src.mounted(a).resolve("f"), 1 << 20, 3);
        zfs("snapshot", a + "@m1");
        streams.receive(b, new ByteArrayInputStream(sendToMemory(a + "@m1", null)), false);
        write(src.mounted(a).resolve("g"), 4 << 20, 4);
        zfs("snapshot", a + "@m2");
        byte[] inc = sendToMemory(a + "@m2", a + "@m1");

        // the connection breaks half way: the reader throws, as a reset socket does
        var e = assertThrows(MigrationException.class,
                () -> streams.receive(b, new BreakingStream(new ByteArrayInputStream(inc), inc.length / 2), true));
        assertEquals(Kind.TRUNCATED, e.kind(), e.getMessage());
        assertEquals(List.of("m1"), names(b));
        // the stream just ends half way (a clean close): zfs itself refuses the incomplete stream
        var e2 = assertThrows(MigrationException.class, () -> streams.receive(b,
                new ByteArrayInputStream(inc, 0, inc.length / 2), true));
        assertEquals(Kind.TRUNCATED, e2.kind(), e2.getMessage());
        assertEquals(List.of("m1"), names(b));

        SnapshotId common = SnapshotStreams.lastCommonSnapshot(streams.snapshots(a), streams.snapshots(b))
                .orElseThrow();
        assertEquals(a + "@m1", common.name());
        streams.receive(b, new ByteArrayInputStream(sendToMemory(a + "@m2", common.name())), true);
        assertEquals(streams.guid(a + "@m2"), streams.guid(b + "@m2"));
        assertArrayEquals(Files.readAllBytes(src.mounted(a).resolve("g")), Files.readAllBytes(dst.mounted(b).resolve("g")));
    }

    @Test
    void fullStreamCutHalfWay_leavesNoTargetDataset() throws IOException {
        write(src.mounted(a).resolve("f"), 2 << 20, 5);
        zfs("snapshot", a + "@m1");
        byte[] full = sendToMemory(a + "@m1", null);
        var e = assertThrows(MigrationException.class,
                () -> streams.receive(b, new BreakingStream(new ByteArrayInputStream(full), full.length / 2), false));
        assertEquals(Kind.TRUNCATED, e.kind());
        assertEquals(List.of(), streams.snapshots(b));
        streams.receive(b, new ByteArrayInputStream(full), false);
        assertEquals(streams.guid(a + "@m1"), streams.guid(b + "@m1"));
    }

    @Test
    void zfsRefusals_becomeTypedErrors() throws IOException {
        zfs("snapshot", a + "@m1");
        zfs("snapshot", a + "@m2");
        zfs("snapshot", a + "@m3");
        assertEquals(Kind.NOT_FOUND, assertThrows(MigrationException.class,
                () -> streams.send(a + "@nope", null, new ByteArrayOutputStream())).kind());
        assertEquals(Kind.NOT_FOUND, assertThrows(MigrationException.class, () -> streams.guid(a + "@nope")).kind());
        assertEquals(List.of(), streams.snapshots(src.name() + "/nope"));
        streams.receive(b, new ByteArrayInputStream(sendToMemory(a + "@m1", null)), false);
        // an incremental whose base the target does not hold
        byte[] m2m3 = sendToMemory(a + "@m3", a + "@m2");
        var e = assertThrows(MigrationException.class, () -> streams.receive(b, new ByteArrayInputStream(m2m3), true));
        assertEquals(Kind.CONFLICT, e.kind(), e.getMessage());
        // a full stream onto a dataset that exists
        var e2 = assertThrows(MigrationException.class,
                () -> streams.receive(b, new ByteArrayInputStream(sendToMemory(a + "@m2", null)), false));
        assertEquals(Kind.CONFLICT, e2.kind(), e2.getMessage());
        // the base must be earlier
        var e3 = assertThrows(MigrationException.class,
                () -> streams.send(a + "@m1", a + "@m3", new ByteArrayOutputStream()));
        assertEquals(Kind.CONFLICT, e3.kind(), e3.getMessage());
        assertEquals(List.of("m1"), names(b));
    }

    @Test
    void estimates_andCapabilities_onThisZfs() throws IOException {
        write(src.mounted(a).resolve("f"), 3 << 20, 6);
        zfs("snapshot", a + "@m1");
        write(src.mounted(a).resolve("g"), 1 << 20, 7);
        zfs("snapshot", a + "@m2");
        long fullActual = sendToMemory(a + "@m2", null).length;
        long incActual = sendToMemory(a + "@m2", a + "@m1").length;
        long fullEstimate = streams.estimateBytes(a + "@m2", null);
        long incEstimate = streams.estimateBytes(a + "@m2", a + "@m1");
        assertTrue(Math.abs(fullEstimate - fullActual) < fullActual / 10, fullEstimate + " vs " + fullActual);
        assertTrue(Math.abs(incEstimate - incActual) < incActual / 10 + 65536, incEstimate + " vs " + incActual);
        boolean fuse = ZfsCli.standard().flavor() == ZfsFlavor.ZFS_FUSE;
        if (fuse) {
            assertEquals(incActual, incEstimate, "zfs-fuse: an incremental is measured by a counted send");
        }
        assertEquals(!fuse, streams.supportsResumableReceive());
    }

    @Test
    void snapshots_comeInCreationOrder_withExactUnsignedGuids() {
        for (String s : List.of("zz", "b", "a", "m")) {
            zfs("snapshot", a + "@" + s);
        }
        List<SnapshotId> listed = streams.snapshots(a);
        assertEquals(List.of("zz", "b", "a", "m"), listed.stream().map(SnapshotId::shortName).toList());
        for (SnapshotId id : listed) {
            assertEquals(zfs("get", "-H", "-p", "-o", "value", "guid", id.name()).strip(),
                    Long.toUnsignedString(id.guid()));
            assertEquals(id.guid(), streams.guid(id.name()));
        }
    }

    private List<String> names(String dataset) {
        return streams.snapshots(dataset).stream().map(SnapshotId::shortName).toList();
    }

    /** Gives {@code limit} bytes, then fails as a reset connection does. */
    static final class BreakingStream extends FilterInputStream {
        private long left;

        BreakingStream(InputStream in, long limit) {
            super(in);
            this.left = limit;
        }

        @Override
        public int read(byte[] buf, int off, int len) throws IOException {
            if (left <= 0) {
                throw new IOException("connection reset (test)");
            }
            int r = in.read(buf, off, (int) Math.min(len, left));
            if (r > 0) {
                left -= r;
            }
            return r;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }
    }
}
