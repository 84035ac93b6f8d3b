package dev.berth.migrate.transfer;

import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Writes a zfs stream as chunks so that the receiver can tell its end from a cut connection: each chunk is a 4-byte
 * big-endian length and that many bytes; {@link #finish()} writes length 0 (the end); {@link #abort(String)} writes
 * length -1 and a reason (the sender's zfs failed). {@link #close()} closes nothing underneath: the connection
 * carries the receiver's acknowledgement afterwards.
 */
public final class ChunkedOutputStream extends OutputStream {
    /** The largest chunk written, and the largest a {@link ChunkedInputStream} accepts. */
    public static final int MAX_CHUNK = 256 * 1024;
    static final int END = 0;
    static final int ABORT = -1;
    private final DataOutputStream out;
    private final byte[] buffer;
    private int filled;
    private boolean done;

    public ChunkedOutputStream(OutputStream out) {
        this(out, 64 * 1024);
    }

    ChunkedOutputStream(OutputStream out, int chunkSize) {
        if (chunkSize < 1 || chunkSize > MAX_CHUNK) {
            throw new IllegalArgumentException("chunk size out of 1.." + MAX_CHUNK + ": " + chunkSize);
        }
        this.out = new DataOutputStream(out);
        this.buffer = new byte[chunkSize];
    }

    @Override
    public void write(int b) throws IOException {
        ensureOpen();
        buffer[filled++] = (byte) b;
        if (filled == buffer.length) {
            drain();
        }
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        ensureOpen();
        while (len > 0) {
            int n = Math.min(len, buffer.length - filled);
            System.arraycopy(b, off, buffer, filled, n);
            filled += n;
            off += n;
            len -= n;
            if (filled == buffer.length) {
                drain();
            }
        }
    }

    /** Sends the buffered bytes as a chunk, and flushes the connection. */
    @Override
    public void flush() throws IOException {
        ensureOpen();
        drain();
        out.flush();
    }

    /** Ends the stream: what is buffered, then the end marker, flushed. */
    public void finish() throws IOException {
        ensureOpen();
        drain();
        out.writeInt(END);
        out.flush();
        done = true;
    }

    /** Ends the stream as failed: the receiver's read throws {@link ChunkedInputStream.StreamAbortedException} with this reason. */
    public void abort(String reason) throws IOException {
        ensureOpen();
        filled = 0; // a partial chunk is of no use to a receive that will fail
        byte[] text = reason.getBytes(StandardCharsets.UTF_8);
        int len = Math.min(text.length, 4096);
        out.writeInt(ABORT);
        out.writeInt(len);
        out.write(text, 0, len);
        out.flush();
        done = true;
    }

    private void drain() throws IOException {
        if (filled > 0) {
            out.writeInt(filled);
            out.write(buffer, 0, filled);
            filled = 0;
        }
    }

    private void ensureOpen() throws IOException {
        if (done) {
            throw new IOException("chunked stream already ended");
        }
    }

    /** Does not close the connection, nor end the stream: call {@link #finish()} or {@link #abort(String)}. */
    @Override
    public void close() {
        // deliberately nothing
    }
}
