package dev.berth.bench;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * One keep-alive HTTP/1.1 connection to a plugin socket, as Docker's Go client keeps one: POST a JSON body, read the
 * status and body (Content-Length or chunked). Deliberately minimal so that the client costs little of the machine the
 * plugin is measured on. Not thread-safe: one per benchmark thread.
 */
final class SocketClient implements AutoCloseable {
    private final SocketChannel channel;
    private final ByteBuffer in = ByteBuffer.allocate(64 * 1024);

    record Reply(int status, String body) {
    }

    SocketClient(Path socket) {
        try {
            channel = SocketChannel.open(StandardProtocolFamily.UNIX);
            channel.connect(UnixDomainSocketAddress.of(socket));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot connect to " + socket, e);
        }
        in.flip();
    }

    Reply post(String path, String json) {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        String head = "POST " + path + " HTTP/1.1\r\nHost: \r\nAccept: application/vnd.docker.plugins.v1.2+json\r\n"
                + "Content-Type: application/json\r\nContent-Length: " + body.length + "\r\n\r\n";
        try {
            ByteBuffer out = ByteBuffer.allocate(head.length() + body.length);
            out.put(head.getBytes(StandardCharsets.US_ASCII)).put(body).flip();
            while (out.hasRemaining()) {
                channel.write(out);
            }
            String statusLine = line();
            int status = Integer.parseInt(statusLine.split(" ")[1]);
            int length = -1;
            boolean chunked = false;
            for (String h = line(); !h.isEmpty(); h = line()) {
                String lower = h.toLowerCase();
                if (lower.startsWith("content-length:")) {
                    length = Integer.parseInt(h.substring(15).trim());
                } else if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
                    chunked = true;
                }
            }
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            if (chunked) {
                for (int n = Integer.parseInt(line().trim(), 16); n > 0; n = Integer.parseInt(line().trim(), 16)) {
                    bytes.write(read(n));
                    line();
                }
                line();
            } else if (length > 0) {
                bytes.write(read(length));
            }
            return new Reply(status, bytes.toString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private String line() throws IOException {
        StringBuilder sb = new StringBuilder();
        while (true) {
            if (!in.hasRemaining()) {
                fill();
            }
            char c = (char) in.get();
            if (c == '\n') {
                int len = sb.length();
                return len > 0 && sb.charAt(len - 1) == '\r' ? sb.substring(0, len - 1) : sb.toString();
            }
            sb.append(c);
        }
    }

    private byte[] read(int n) throws IOException {
        byte[] out = new byte[n];
        int at = 0;
        while (at < n) {
            if (!in.hasRemaining()) {
                fill();
            }
            int k = Math.min(n - at, in.remaining());
            in.get(out, at, k);
            at += k;
        }
        return out;
    }

    private void fill() throws IOException {
        in.clear();
        int n = channel.read(in);
        in.flip();
        if (n < 0) {
            throw new IOException("the plugin closed the connection");
        }
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException ignored) {
            // closing
        }
    }
}
