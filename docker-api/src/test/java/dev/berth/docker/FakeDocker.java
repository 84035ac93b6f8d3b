package dev.berth.docker;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.unixdomain.server.UnixDomainServerConnector;
import org.eclipse.jetty.util.Blocker;
import org.eclipse.jetty.util.Callback;

/**
 * A pretend daemon for the unit tests: Jetty on a unix socket answering canned Docker JSON by decoded path (query
 * ignored), remembering every request line as sent ({@code /v1.41/containers/json?all=true}). Unknown paths get Docker's own 404.
 */
final class FakeDocker implements AutoCloseable {
    /** Writes a whole answer; may block (it runs on a server thread) and write in pieces with {@link #chunk}. */
    @FunctionalInterface
    interface Answer {
        void answer(Request request, Response response) throws Exception;
    }

    private final Server server = new Server();
    private final Path socket;
    private final Map<String, Answer> answers = new ConcurrentHashMap<>();
    private final List<String> requests = new CopyOnWriteArrayList<>();

    FakeDocker(Path socket) {
        this.socket = socket;
        UnixDomainServerConnector connector = new UnixDomainServerConnector(server);
        connector.setUnixDomainPath(socket);
        server.addConnector(connector);
        server.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                String path = request.getHttpURI().getPath();
                String query = request.getHttpURI().getQuery();
                requests.add(query == null ? path : path + "?" + query);
                Answer answer = answers.getOrDefault(request.getHttpURI().getDecodedPath(), (q, r) -> write(r, 404, "{\"message\":\"page not found\"}"));
                try {
                    answer.answer(request, response);
                    callback.succeeded();
                } catch (Exception e) {
                    callback.failed(e);
                }
                return true;
            }
        });
        try {
            server.start();
        } catch (Exception e) {
            throw new IllegalStateException("cannot start the fake daemon on " + socket, e);
        }
    }

    Path socket() {
        return socket;
    }

    /** Every request so far, path and query, in order. */
    List<String> requests() {
        return List.copyOf(requests);
    }

    FakeDocker answer(String path, Answer answer) {
        answers.put(path, answer);
        return this;
    }

    FakeDocker json(String path, int status, String body) {
        return answer(path, (q, r) -> write(r, status, body));
    }

    /** Answers 200 with a file of captured 20.10 JSON from the test resources. */
    FakeDocker resource(String path, String name) {
        return json(path, 200, resource(name));
    }

    /** A daemon speaking {@code apiVersion}, down to {@code minApiVersion}. */
    FakeDocker speaking(String apiVersion, String minApiVersion) {
        return json("/version", 200, "{\"Version\":\"x\",\"ApiVersion\":\"" + apiVersion + "\",\"MinAPIVersion\":\""
                + minApiVersion + "\",\"Os\":\"linux\",\"Arch\":\"amd64\"}");
    }

    static String resource(String name) {
        try (InputStream in = FakeDocker.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalArgumentException("no test resource " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void write(Response response, int status, String body) throws IOException {
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        response.getHeaders().put("Api-Version", "1.41");
        try (Blocker.Callback done = Blocker.callback()) {
            Content.Sink.write(response, true, body, done);
            done.block();
        }
    }

    /** Starts a streamed 200 answer (headers sent at once, as the daemon does for /events). */
    static void startStream(Response response) throws IOException {
        response.setStatus(200);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        chunk(response, new byte[0]);
    }

    /** Writes and flushes one piece of a streamed answer. */
    static void chunk(Response response, byte[] bytes) throws IOException {
        try (Blocker.Callback done = Blocker.callback()) {
            response.write(false, ByteBuffer.wrap(bytes), done);
            done.block();
        }
    }

    @Override
    public void close() {
        try {
            server.stop();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
