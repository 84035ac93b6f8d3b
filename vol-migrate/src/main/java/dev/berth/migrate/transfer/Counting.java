package dev.berth.migrate.transfer;

import java.io.FilterInputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/** Streams that count the bytes through them and report each step to a {@link Progress}. */
final class Counting {
    private Counting() {
    }

    static final class Out extends FilterOutputStream {
        private final Progress progress;
        private long count;

        Out(OutputStream out, Progress progress) {
            super(out);
            this.progress = progress;
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            progress.bytes(++count);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            count += len;
            progress.bytes(count);
        }

        long count() {
            return count;
        }
    }

    static final class In extends FilterInputStream {
        private final Progress progress;
        private long count;

        In(InputStream in, Progress progress) {
            super(in);
            this.progress = progress;
        }

        @Override
        public int read() throws IOException {
            int b = in.read();
            if (b >= 0) {
                progress.bytes(++count);
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = in.read(b, off, len);
            if (n > 0) {
                count += n;
                progress.bytes(count);
            }
            return n;
        }

        long count() {
            return count;
        }
    }
}
