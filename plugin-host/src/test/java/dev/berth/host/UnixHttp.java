package dev.berth.host;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * A deliberately raw HTTP/1.1 client over a unix socket, for tests that must send what a polite client never would
 * (truncated bodies, lying headers, garbage). One request per connection.
 */
public final class UnixHttp {
    private UnixHttp() {
    }

    public record Reply(int status, Map<String, String> headers, String body) {
        public String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    public static Reply post(Path socket, String path, String json) {
        return request(socket, "POST", path, Map.of(), json.getBytes(StandardCharsets.UTF_8));
    }

    public static Reply get(Path socket, String path) {
        return request(socket, "GET", path, Map.of(), new byte[0]);
    }

    public static Reply request(Path socket, String method, String path, Map<String, String> headers, byte[] body) {
        StringBuilder head = new StringBuilder();
        head.append(method).append(' ').append(path).append(" HTTP/1.1\r\n");
        head.append("Host: plugin\r\nAccept: application/vnd.docker.plugins.v1.2+json\r\nConnection: close\r\n");
        headers.forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
        if (!headers.containsKey("Content-Length") && !headers.containsKey("Transfer-Encoding")) {
            head.append("Content-Length: ").append(body.length).append("\r\n");
        }
        head.append("\r\n");
        byte[] h = head.toString().getBytes(StandardCharsets.ISO_8859_1);
        byte[] all = new byte[h.length + body.length];
        System.arraycopy(h, 0, all, 0, h.length);
        System.arraycopy(body, 0, all, h.length, body.length);
        return exchange(socket, all);
    }

    /** Sends raw bytes (written on another thread, so a server that answers early is still heard) and reads to EOF. */
    public static Reply exchange(Path socket, byte[] raw) {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(socket));
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                try {
                    ByteBuffer buf = ByteBuffer.wrap(raw);
                    while (buf.hasRemaining()) {
                        ch.write(buf);
                    }
                    ch.shutdownOutput();
                } catch (IOException ignored) {
                    // the server may close early (for example after refusing an oversized body)
                }
            });
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try {
                Channels.newInputStream(ch).transferTo(out);
            } catch (IOException e) {
                if (out.size() == 0) {
                    throw e;
                }
            }
            writer.cancel(true);
            return parse(out.toByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Reply parse(byte[] bytes) {
        String text = new String(bytes, StandardCharsets.ISO_8859_1);
        int end = text.indexOf("\r\n\r\n");
        if (end < 0) {
            throw new IllegalStateException("no complete HTTP response: '" + text + "'");
        }
        String[] lines = text.substring(0, end).split("\r\n");
        int status = Integer.parseInt(lines[0].split(" ")[1]);
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int c = lines[i].indexOf(':');
            headers.put(lines[i].substring(0, c).trim().toLowerCase(Locale.ROOT), lines[i].substring(c + 1).trim());
        }
        String body = text.substring(end + 4);
        if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            body = dechunk(body);
        }
        return new Reply(status, headers, new String(body.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8));
    }

    private static String dechunk(String body) {
        StringBuilder sb = new StringBuilder();
        int pos = 0;
        while (pos < body.length()) {
            int nl = body.indexOf("\r\n", pos);
            int size = Integer.parseInt(body.substring(pos, nl).trim(), 16);
            if (size == 0) {
                break;
            }
            sb.append(body, nl + 2, nl + 2 + size);
            pos = nl + 2 + size + 2;
        }
        return sb.toString();
    }
}
