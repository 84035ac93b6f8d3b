package dev.berth.migrate.transfer;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * Reads what a {@link ChunkedOutputStream} wrote: the stream's bytes, then -1 at its end marker. A connection that
 * ends before the end marker throws {@link EOFException} (the stream was cut); an abort marker throws
 * {@link StreamAbortedException}; a length beyond {@link ChunkedOutputStream#MAX_CHUNK} is a protocol error.
 * {@link #close()} closes nothing underneath.
 */
public final class ChunkedInputStream extends InputStream {
    private final DataInputStream in;
    private int remaining;
    private boolean ended;
    private long total;

    public ChunkedInputStream(InputStream in) {
        this.in = new DataInputStream(in);
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        if (!nextChunk()) {
            return -1;
        }
        int n = in.read(b, off, Math.min(len, remaining));
        if (n < 0) {
            throw new EOFException("stream cut after " + total + " bytes, inside a chunk");
        }
        remaining -= n;
        total += n;
        return n;
    }

    /** Whether bytes are left, reading the next chunk header when the current chunk is used up. */
    private boolean nextChunk() throws IOException {
        while (remaining == 0) {
            if (ended) {
                return false;
            }
            int len;
            try {
                len = in.readInt();
            } catch (EOFException e) {
                throw new EOFException("stream cut after " + total + " bytes, before its end marker");
            }
            if (len == ChunkedOutputStream.END) {
                ended = true;
                return false;
            }
            if (len == ChunkedOutputStream.ABORT) {
                int n = in.readInt();
                if (n < 0 || n > 4096) {
                    throw new IOException("bad abort reason length " + n);
                }
                byte[] text = in.readNBytes(n);
                ended = true;
                throw new StreamAbortedException(new String(text, StandardCharsets.UTF_8));
            }
            if (len < 0 || len > ChunkedOutputStream.MAX_CHUNK) {
                throw new IOException("bad chunk length " + len + " after " + total + " bytes");
            }
            remaining = len;
        }
        return true;
    }

    /** Whether the end marker was read: the whole stream arrived. */
    public boolean complete() {
        return ended && remaining == 0;
    }

    /** Stream bytes read so far. */
    public long total() {
        return total;
    }

    /** Does not close the connection. */
    @Override
    public void close() {
        // deliberately nothing
    }

    /** The sender ended the stream as failed; the message is its reason. */
    public static final class StreamAbortedException extends IOException {
        public StreamAbortedException(String reason) {
            super("the sender aborted the stream: " + reason);
        }
    }
}
