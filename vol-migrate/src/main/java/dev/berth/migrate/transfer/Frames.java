package dev.berth.migrate.transfer;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.migrate.MigrationException;
import dev.berth.migrate.MigrationException.Kind;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * The small JSON messages of a round (header, ready, acknowledgement), each framed as a 4-byte big-endian length and
 * that many bytes of UTF-8 JSON, at most {@link #MAX_FRAME}. Unknown fields are ignored (a newer peer may add some).
 */
public final class Frames {
    /** The largest JSON frame accepted. */
    public static final int MAX_FRAME = 64 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
            .setDefaultPropertyInclusion(JsonInclude.Include.NON_NULL);

    private Frames() {
    }

    /** Writes one frame and flushes. */
    public static void write(OutputStream out, Object message) throws IOException {
        write(out, message, MAX_FRAME);
    }

    /** Writes one frame of at most {@code max} bytes and flushes. */
    public static void write(OutputStream out, Object message, int max) throws IOException {
        byte[] body;
        try {
            body = JSON.writeValueAsBytes(message);
        } catch (JsonProcessingException e) {
            throw new MigrationException(Kind.INTERNAL, "cannot encode " + message + ": " + e.getMessage(), e);
        }
        if (body.length > max) {
            throw new MigrationException(Kind.BAD_REQUEST, "frame of " + body.length + " bytes is over " + max);
        }
        DataOutputStream data = new DataOutputStream(out);
        data.writeInt(body.length);
        data.write(body);
        data.flush();
    }

    /**
     * Reads one frame.
     *
     * @throws EOFException       when the connection ends first
     * @throws MigrationException PROTOCOL for a bad length or JSON that is not a {@code type}
     */
    public static <T> T read(InputStream in, Class<T> type) throws IOException {
        return read(in, type, MAX_FRAME);
    }

    /** Reads one frame of at most {@code max} bytes. */
    public static <T> T read(InputStream in, Class<T> type, int max) throws IOException {
        DataInputStream data = new DataInputStream(in);
        int len = data.readInt();
        if (len < 0 || len > max) {
            throw new MigrationException(Kind.PROTOCOL, "bad frame length " + len + ": not a migration agent?");
        }
        byte[] body = data.readNBytes(len);
        if (body.length < len) {
            throw new EOFException("frame cut after " + body.length + " of " + len + " bytes");
        }
        try {
            return JSON.readValue(body, type);
        } catch (IOException | IllegalArgumentException e) {
            throw new MigrationException(Kind.PROTOCOL, "bad " + type.getSimpleName() + " frame: " + e.getMessage(),
                    e);
        }
    }
}
