package dev.berth.migrate.agent;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.migrate.MigrationException;
import dev.berth.migrate.MigrationException.Kind;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

/**
 * The local agent's JSON API ({@link LocalApi}) from the {@code berth} command or a test: one HTTP/1.1 exchange per
 * call over the agent's unix socket (the JDK's unix-domain channels, no client library needed).
 */
public final class AgentClient {
    public static final Path DEFAULT_SOCKET = Path.of("/var/lib/berth/migrate/agent.sock");
    private final Path socket;

    public AgentClient(Path socket) {
        this.socket = socket;
    }

    /** Starts a migration; its id. */
    public String start(String container, String to, boolean dryRun, boolean keepSource) {
        return start(container, to, dryRun, keepSource, false);
    }

    /** With {@code cold}: stop first, send everything, start there (no pre-copy). */
    public String start(String container, String to, boolean dryRun, boolean keepSource, boolean cold) {
        JsonNode r = exchange("POST", "/migrations", Map.of("container", container, "to", to, "dryRun", dryRun,
                "keepSource", keepSource, "cold", cold));
        return r.path("id").asText();
    }

    public MigrationStatus status(String id) {
        try {
            return AgentWire.JSON.treeToValue(exchange("GET", "/migrations/" + id, null), MigrationStatus.class);
        } catch (IOException e) {
            throw new MigrationException(Kind.PROTOCOL, "unreadable status: " + e.getMessage(), e);
        }
    }

    public JsonNode describe() {
        return exchange("GET", "/status", null);
    }

    private JsonNode exchange(String method, String path, Object body) {
        byte[] payload;
        try {
            payload = body == null ? new byte[0] : AgentWire.JSON.writeValueAsBytes(body);
        } catch (IOException e) {
            throw new MigrationException(Kind.INTERNAL, e.getMessage(), e);
        }
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(socket));
            String head = method + " " + path + " HTTP/1.1\r\nHost: agent\r\nConnection: close\r\n"
                    + "Content-Type: application/json\r\nContent-Length: " + payload.length + "\r\n\r\n";
            ch.write(ByteBuffer.wrap(head.getBytes(StandardCharsets.US_ASCII)));
            ch.write(ByteBuffer.wrap(payload));
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            Channels.newInputStream(ch).transferTo(all);
            String text = all.toString(StandardCharsets.UTF_8);
            int end = text.indexOf("\r\n\r\n");
            if (end < 0) {
                throw new MigrationException(Kind.PROTOCOL, "no HTTP answer from the agent at " + socket);
            }
            int status = Integer.parseInt(text.substring(9, 12));
            String headers = text.substring(0, end).toLowerCase(java.util.Locale.ROOT);
            String rest = text.substring(end + 4);
            if (headers.contains("transfer-encoding: chunked")) {
                rest = unchunk(rest);
            }
            JsonNode json = rest.isBlank() ? AgentWire.JSON.createObjectNode() : AgentWire.JSON.readTree(rest);
            if (status >= 300) {
                Kind k = switch (status) {
                    case 400 -> Kind.BAD_REQUEST;
                    case 404 -> Kind.NOT_FOUND;
                    case 409 -> Kind.CONFLICT;
                    case 503 -> Kind.UNAVAILABLE;
                    default -> Kind.INTERNAL;
                };
                throw new MigrationException(k, json.path("Err").asText("HTTP " + status));
            }
            return json;
        } catch (IOException e) {
            throw new MigrationException(Kind.UNAVAILABLE, "the migration agent at " + socket + " does not answer ("
                    + e.getMessage() + "): is berth-migrate running on this host?", e);
        }
    }

    private static String unchunk(String body) {
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < body.length()) {
            int eol = body.indexOf("\r\n", i);
            if (eol < 0) {
                break;
            }
            int len = Integer.parseInt(body.substring(i, eol).trim().split(";")[0], 16);
            if (len == 0) {
                break;
            }
            out.append(body, eol + 2, eol + 2 + len);
            i = eol + 2 + len + 2;
        }
        return out.toString();
    }
}
