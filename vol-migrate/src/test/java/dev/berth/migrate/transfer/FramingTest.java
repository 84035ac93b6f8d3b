package dev.berth.migrate.transfer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.migrate.MigrationException;
import dev.berth.migrate.MigrationException.Kind;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The wire codecs alone: chunked stream and JSON frames, no sockets, no zfs. */
@Tag("unit")
class FramingTest {
    private static byte[] random(int n) {
        byte[] b = new byte[n];
        new Random(n).nextBytes(b);
        return b;
    }

    @Test
    void chunkedStream_roundTripsAnyLengthAndEndsAtItsMarker() throws IOException {
        for (int n : new int[] {0, 1, 1000, 64 * 1024, 64 * 1024 + 1, 300_000}) {
            byte[] data = random(n);
            var wire = new ByteArrayOutputStream();
            var out = new ChunkedOutputStream(wire, 1000);
            out.write(data, 0, n / 2);
            if (n > 0) {
                out.write(data[n / 2]);
                out.write(data, n / 2 + 1, n - n / 2 - 1);
            }
            out.finish();
            wire.write("after".getBytes(StandardCharsets.US_ASCII)); // the next frame on the same connection
            var in = new ByteArrayInputStream(wire.toByteArray());
            var chunks = new ChunkedInputStream(in);
            assertArrayEquals(data, chunks.readAllBytes(), "length " + n);
            assertTrue(chunks.complete());
            assertEquals(n, chunks.total());
            assertEquals("after", new String(in.readAllBytes(), StandardCharsets.US_ASCII));
        }
    }

    @Test
    void chunkedStream_cutAnywhere_isAnEofNeverAnEnd() throws IOException {
        var wire = new ByteArrayOutputStream();
        var out = new ChunkedOutputStream(wire, 100);
        out.write(random(1000));
        out.finish();
        byte[] whole = wire.toByteArray();
        for (int cut = 0; cut < whole.length; cut += 7) {
            var chunks = new ChunkedInputStream(new ByteArrayInputStream(Arrays.copyOf(whole, cut)));
            assertThrows(EOFException.class, chunks::readAllBytes, "cut at " + cut);
            assertFalse(chunks.complete());
        }
    }

    @Test
    void chunkedStream_abortCarriesTheSendersReason() throws IOException {
        var wire = new ByteArrayOutputStream();
        var out = new ChunkedOutputStream(wire, 100);
        out.write(random(250));
        out.abort("zfs send failed: does not exist");
        assertThrows(IOException.class, () -> out.write(1));
        var chunks = new ChunkedInputStream(new ByteArrayInputStream(wire.toByteArray()));
        var e = assertThrows(ChunkedInputStream.StreamAbortedException.class, chunks::readAllBytes);
        assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
    }

    @Test
    void chunkedStream_refusesAnAbsurdChunkLength() throws IOException {
        var wire = new ByteArrayOutputStream();
        new DataOutputStream(wire).writeInt(Integer.MAX_VALUE);
        var chunks = new ChunkedInputStream(new ByteArrayInputStream(wire.toByteArray()));
        var e = assertThrows(IOException.class, chunks::readAllBytes);
        assertTrue(e.getMessage().contains("bad chunk length"), e.getMessage());
    }

    @Test
    void frames_roundTripHeaderAndReplies() throws IOException {
        var h = RoundHeader.of("web", "tank/berth/web", "m2", "m1", -2L, 5L, 1234L);
        var wire = new ByteArrayOutputStream();
        Frames.write(wire, h);
        Frames.write(wire, Reply.received(-2L, 99));
        Frames.write(wire, Reply.failed(new MigrationException(Kind.CONFLICT, "diverged")));
        var in = new ByteArrayInputStream(wire.toByteArray());
        RoundHeader back = Frames.read(in, RoundHeader.class).validated();
        assertEquals(h, back);
        assertEquals("18446744073709551614", back.guid());
        assertEquals(-2L, back.guidValue());
        Reply ack = Frames.read(in, Reply.class);
        assertTrue(ack.ok());
        assertEquals(99L, ack.bytes());
        Reply failed = Frames.read(in, Reply.class);
        assertFalse(failed.ok());
        assertNull(failed.guid());
        assertEquals(Kind.CONFLICT, failed.toException("h2").kind());
    }

    @Test
    void frames_refuseWhatIsNotAFrame() {
        byte[] http = "GET / HTTP/1.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        var e = assertThrows(MigrationException.class, () -> Frames.read(new ByteArrayInputStream(http), Reply.class));
        assertEquals(Kind.PROTOCOL, e.kind());
        assertThrows(EOFException.class, () -> Frames.read(new ByteArrayInputStream(new byte[] {0, 0, 0, 9, '{'}),
                Reply.class));
    }

    @Test
    void frames_ignoreUnknownFieldsAndRejectBadJson() throws IOException {
        var wire = new ByteArrayOutputStream();
        writeRaw(wire, "{\"ok\":true,\"future\":1}");
        writeRaw(wire, "{\"ok\":");
        var in = new ByteArrayInputStream(wire.toByteArray());
        assertTrue(Frames.read(in, Reply.class).ok());
        assertEquals(Kind.PROTOCOL, assertThrows(MigrationException.class, () -> Frames.read(in, Reply.class)).kind());
    }

    private static void writeRaw(OutputStream out, String json) throws IOException {
        byte[] b = json.getBytes(StandardCharsets.UTF_8);
        new DataOutputStream(out).writeInt(b.length);
        out.write(b);
    }

    @Test
    void header_validationRefusesHostileFields() {
        assertEquals(Kind.PROTOCOL, assertThrows(MigrationException.class,
                () -> new RoundHeader(2, "web", "t/web", "m1", null, "1", null, null).validated()).kind());
        for (RoundHeader bad : new RoundHeader[] {
            RoundHeader.of("web", "t/../x", "m1", null, 1, null, null),
            RoundHeader.of("web", "-o/x", "m1", null, 1, null, null),
            RoundHeader.of("web", "t/web@x", "m1", null, 1, null, null),
            RoundHeader.of("web", "t/web", "m1;rm", null, 1, null, null),
            RoundHeader.of("web", "t/web", "m1", "m1", 1, 1L, null),
            RoundHeader.of("", "t/web", "m1", null, 1, null, null),
            new RoundHeader(1, "web", "t/web", "m2", "m1", "1", null, null),
            new RoundHeader(1, "web", "t/web", "m2", null, "x1", null, null),
            RoundHeader.of("web", "t/web", "m1", null, 1, null, -5L),
        }) {
            var e = assertThrows(MigrationException.class, bad::validated, bad.toString());
            assertEquals(Kind.BAD_REQUEST, e.kind());
        }
    }
}
