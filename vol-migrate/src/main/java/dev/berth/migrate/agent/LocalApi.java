package dev.berth.migrate.agent;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.docker.DockerNotFoundException;
import dev.berth.migrate.MigrationException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.unixdomain.server.UnixDomainServerConnector;
import org.eclipse.jetty.util.Callback;

/**
 * The agent's JSON API for the {@code berth} command and for automation, on a root-only unix socket
 * ({@code /var/lib/berth/migrate/agent.sock}):
 * <pre>
 * POST /migrations      {"container": "db", "to": "HOST-ID", "dryRun": false, "keepSource": false, "cold": false}
 *                       -> 202 {"id": "..."}; 400/404/409 {"Err": "..."} when it cannot even start
 * GET  /migrations/ID   -> 200 MigrationStatus (progress: state, round, bytes, rate, ETA, downtime)
 * GET  /migrations      -> 200 [MigrationStatus...]
 * GET  /status          -> 200 {"host": ..., "port": ...}
 * </pre>
 */
public final class LocalApi implements AutoCloseable {
    private final Server server;
    private final Path socket;

    public LocalApi(Path socket, Agent agent) {
        this.socket = socket;
        this.server = new Server();
        UnixDomainServerConnector c = new UnixDomainServerConnector(server);
        c.setUnixDomainPath(socket);
        server.addConnector(c);
        server.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                String path = Request.getPathInContext(request);
                String method = request.getMethod();
                try {
                    if (method.equals("POST") && path.equals("/migrations")) {
                        JsonNode body = AgentWire.JSON.readTree(Content.Source.asInputStream(request));
                        String id = agent.start(new SourceMigration.Request(text(body, "container"),
                                text(body, "to"), body.path("dryRun").asBoolean(false),
                                body.path("keepSource").asBoolean(false), body.path("cold").asBoolean(false)));
                        reply(response, callback, 202, Map.of("id", id));
                    } else if (method.equals("GET") && path.equals("/migrations")) {
                        reply(response, callback, 200, agent.migrations());
                    } else if (method.equals("GET") && path.startsWith("/migrations/")) {
                        var st = agent.status(path.substring("/migrations/".length()));
                        if (st.isEmpty()) {
                            reply(response, callback, 404, Map.of("Err", "no migration " + path.substring(12)));
                        } else {
                            reply(response, callback, 200, st.get());
                        }
                    } else if (method.equals("GET") && path.equals("/status")) {
                        reply(response, callback, 200, agent.describe());
                    } else {
                        reply(response, callback, 404, Map.of("Err", method + " " + path + " is not an agent call"));
                    }
                } catch (MigrationException e) {
                    int code = switch (e.kind()) {
                        case BAD_REQUEST -> 400;
                        case NOT_FOUND -> 404;
                        case CONFLICT -> 409;
                        case UNAVAILABLE -> 503;
                        default -> 500;
                    };
                    reply(response, callback, code, Map.of("Err", String.valueOf(e.getMessage())));
                } catch (DockerNotFoundException e) {
                    reply(response, callback, 404, Map.of("Err", String.valueOf(e.getMessage())));
                } catch (IOException | RuntimeException e) {
                    reply(response, callback, 500, Map.of("Err", e.toString()));
                }
                return true;
            }
        });
    }

    public void start() {
        try {
            Files.createDirectories(socket.getParent());
            Files.deleteIfExists(socket);
            server.start();
            Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-------"));
        } catch (Exception e) {
            throw new IllegalStateException("cannot serve on " + socket + ": " + e.getMessage(), e);
        }
    }

    private static String text(JsonNode body, String field) {
        JsonNode n = body.get(field);
        if (n == null || !n.isTextual() || n.asText().isBlank()) {
            throw new MigrationException(MigrationException.Kind.BAD_REQUEST, "field " + field
                    + " is required (a string)");
        }
        return n.asText();
    }

    private static void reply(Response response, Callback callback, int status, Object body) {
        byte[] bytes;
        try {
            bytes = AgentWire.JSON.writeValueAsBytes(body);
        } catch (IOException e) {
            bytes = ("{\"Err\":\"cannot encode the answer\"}").getBytes(StandardCharsets.UTF_8);
            status = 500;
        }
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        response.write(true, ByteBuffer.wrap(bytes), callback);
    }

    @Override
    public void close() {
        try {
            server.stop();
        } catch (Exception ignored) {
            // the process is ending
        }
    }
}
