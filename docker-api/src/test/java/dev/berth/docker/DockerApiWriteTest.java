package dev.berth.docker;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.io.Content;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The write side against a pretend daemon: the requests as sent, the statuses taken as success, streamed transfers. */
@Tag("unit")
class DockerApiWriteTest {
    private static final JsonMapper JSON = new JsonMapper();
    private static final String ID = "4f2c1b0e9d8a7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c8b7a6f5e4d3c2b";

    @TempDir
    Path dir;
    private FakeDocker daemon;
    private DockerApi docker;
    /** Request bodies by "METHOD path?query". */
    private final Map<String, String> bodies = new ConcurrentHashMap<>();

    @BeforeEach
    void start() {
        daemon = new FakeDocker(dir.resolve("docker.sock")).resource("/version", "version.json");
        docker = DockerApi.connect(daemon.socket());
    }

    @AfterEach
    void stop() {
        docker.close();
        daemon.close();
    }

    /** Answers {@code status} with {@code body}, remembering the request's method, query and body. */
    private void recording(String path, int status, String body) {
        daemon.answer(path, (q, r) -> {
            String query = q.getHttpURI().getQuery();
            bodies.put(q.getMethod() + " " + path + (query == null ? "" : "?" + query), Content.Source.asString(q));
            FakeDocker.write(r, status, body);
        });
    }

    @Test
    void createContainer_postsTheSpecUnderTheNameAndConnectsTheOtherNetworks() throws IOException {
        ContainerSpec spec = ContainerSpecTest.spec();
        recording("/v1.41/containers/create", 201, "{\"Id\":\"" + ID + "\",\"Warnings\":[]}");
        recording("/v1.41/networks/backnet/connect", 200, "");

        assertEquals(ID, docker.createContainer("web", spec));

        assertEquals(spec.createBody(), JSON.readTree(bodies.get("POST /v1.41/containers/create?name=web")));
        JsonNode connect = JSON.readTree(bodies.get("POST /v1.41/networks/backnet/connect"));
        assertEquals(ID, connect.get("Container").asText());
        assertEquals(spec.endpoints().get("backnet"), connect.get("EndpointConfig"));
        assertEquals(2, bodies.size(), "the primary network is not connected again: " + bodies.keySet());
    }

    @Test
    void createContainer_removesTheNewContainerWhenANetworkCannotBeConnected() {
        recording("/v1.41/containers/create", 201, "{\"Id\":\"" + ID + "\"}");
        recording("/v1.41/networks/backnet/connect", 404, "{\"message\":\"network backnet not found\"}");
        recording("/v1.41/containers/" + ID, 204, "");

        DockerNotFoundException e = assertThrows(DockerNotFoundException.class,
                () -> docker.createContainer("web", ContainerSpecTest.spec()));
        assertTrue(e.dockerMessage().startsWith("network backnet not found"), e.dockerMessage());
        assertTrue(e.dockerMessage().contains("was removed again"), e.dockerMessage());
        assertTrue(bodies.containsKey("DELETE /v1.41/containers/" + ID + "?force=true&v=false"), bodies.keySet().toString());
    }

    @Test
    void createContainer_saysWhenTheRollbackFailedToo() {
        recording("/v1.41/containers/create", 201, "{\"Id\":\"" + ID + "\"}");
        recording("/v1.41/networks/backnet/connect", 500, "{\"message\":\"no more addresses\"}");
        recording("/v1.41/containers/" + ID, 500, "{\"message\":\"device busy\"}");

        DockerApiException e = assertThrows(DockerApiException.class,
                () -> docker.createContainer("web", ContainerSpecTest.spec()));
        assertEquals(500, e.status());
        assertTrue(e.dockerMessage().contains("is left behind") && e.dockerMessage().contains("device busy"),
                e.dockerMessage());
    }

    @Test
    void createContainer_nameTakenIsAConflict() {
        recording("/v1.41/containers/create", 409, "{\"message\":\"Conflict. The container name \\\"/web\\\" is already in use\"}");
        DockerApiException e = assertThrows(DockerApiException.class,
                () -> docker.createContainer("web", ContainerSpecTest.spec()));
        assertEquals(409, e.status());
    }

    @Test
    void startAndStop_takeAlreadyDone304AsSuccess() {
        recording("/v1.41/containers/web/start", 304, "");
        recording("/v1.41/containers/web/stop", 304, "");
        docker.startContainer("web");
        docker.stopContainer("web", Duration.ofMillis(1500));
        assertTrue(bodies.containsKey("POST /v1.41/containers/web/start"), bodies.keySet().toString());
        assertTrue(bodies.containsKey("POST /v1.41/containers/web/stop?t=2"), "grace rounded up: " + bodies.keySet());
    }

    @Test
    void stop_waitsForTheGracePeriodBeyondTheTimeout() {
        FakeDocker.Answer slow = (q, r) -> {
            Thread.sleep(800);
            FakeDocker.write(r, 204, "");
        };
        daemon.answer("/v1.41/containers/web/stop", slow).answer("/v1.41/containers/web/start", slow);
        try (DockerApi impatient = DockerApi.connect(daemon.socket(), Duration.ofMillis(300))) {
            impatient.stopContainer("web", Duration.ofSeconds(1));
            DockerUnavailableException e = assertThrows(DockerUnavailableException.class,
                    () -> impatient.startContainer("web"), "start waits the timeout only");
            assertTrue(e.getMessage().contains("did not answer within 300 ms"), e.getMessage());
        }
    }

    @Test
    void removeRenameAndWait_sendTheirQueries() {
        recording("/v1.41/containers/web", 204, "");
        recording("/v1.41/containers/web/rename", 204, "");
        recording("/v1.41/containers/web/wait", 200, "{\"StatusCode\":3,\"Error\":null}");
        docker.removeContainer("web", true, true);
        docker.renameContainer("web", "web old");
        assertEquals(3, docker.waitContainer("web", Duration.ofSeconds(5)));
        assertEquals(List.of("DELETE /v1.41/containers/web?force=true&v=true",
                        "POST /v1.41/containers/web/rename?name=web%20old",
                        "POST /v1.41/containers/web/wait?condition=not-running"),
                bodies.keySet().stream().sorted().toList());
    }

    @Test
    void containerJson_keepsEveryField() {
        daemon.resource("/v1.41/containers/web/json", "container-spec.json");
        JsonNode node = docker.containerJson("web");
        assertEquals("/web", node.get("Name").asText());
        assertEquals("json-file", node.at("/HostConfig/LogConfig/Type").asText());
        assertEquals(ContainerSpecTest.spec(), docker.containerSpec("web"));
    }

    @Test
    void imageExists_isFalseOn404AndNamesKeepTheirSlashAndTag() {
        daemon.json("/v1.41/images/berth/testbox:1/json", 200, "{\"Id\":\"sha256:abc\"}");
        assertTrue(docker.imageExists("berth/testbox:1"));
        assertEquals("sha256:abc", docker.imageId("berth/testbox:1").orElseThrow());
        assertFalse(docker.imageExists("berth/other"));
        assertTrue(daemon.requests().contains("/v1.41/images/berth/testbox:1/json"), daemon.requests().toString());
    }

    @Test
    void saveImage_streamsTheTarballAsItComes() throws Exception {
        CountDownLatch firstArrived = new CountDownLatch(1);
        byte[] piece = new byte[256 << 10];
        for (int i = 0; i < piece.length; i++) {
            piece[i] = (byte) i;
        }
        daemon.answer("/v1.41/images/get", (q, r) -> {
            r.setStatus(200);
            r.getHeaders().put("Content-Type", "application/x-tar");
            FakeDocker.chunk(r, piece);
            // the rest only once the caller has the first piece: a client holding the whole body would hang here
            assertTrue(firstArrived.await(10, TimeUnit.SECONDS), "the first piece never reached the caller");
            for (int i = 0; i < 7; i++) {
                FakeDocker.chunk(r, piece);
            }
        });
        ByteArrayOutputStream received = new ByteArrayOutputStream();
        docker.saveImage("berth/testbox", new OutputStream() {
            @Override
            public void write(int b) {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                received.write(b, off, len);
                firstArrived.countDown();
            }
        });
        assertEquals(8 * piece.length, received.size());
        assertArrayEquals(piece, java.util.Arrays.copyOfRange(received.toByteArray(), 7 * piece.length, 8 * piece.length));
        assertTrue(daemon.requests().contains("/v1.41/images/get?names=berth%2Ftestbox"), daemon.requests().toString());
    }

    @Test
    void saveImage_missingImageIsNotFound_andAFailingOutputIsAnIoError() {
        daemon.json("/v1.41/images/get", 404, "{\"message\":\"reference does not exist\"}");
        DockerNotFoundException e = assertThrows(DockerNotFoundException.class,
                () -> docker.saveImage("nope", new ByteArrayOutputStream()));
        assertEquals("reference does not exist", e.dockerMessage());

        daemon.answer("/v1.41/images/get", (q, r) -> {
            r.setStatus(200);
            FakeDocker.chunk(r, new byte[1000]);
            FakeDocker.chunk(r, new byte[1000]);
        });
        assertThrows(UncheckedIOException.class, () -> docker.saveImage("x", new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                throw new IOException("disk full");
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                throw new IOException("disk full");
            }
        }));
    }

    @Test
    void loadImage_streamsTheTarballUpAndReturnsWhatWasLoaded() throws Exception {
        CountDownLatch firstReceived = new CountDownLatch(1);
        byte[] piece = new byte[128 << 10];
        ByteArrayOutputStream seen = new ByteArrayOutputStream();
        daemon.answer("/v1.41/images/load", (q, r) -> {
            assertEquals("application/x-tar", q.getHeaders().get("Content-Type"));
            try (InputStream in = Content.Source.asInputStream(q)) {
                byte[] buffer = new byte[8192];
                for (int n; (n = in.read(buffer)) >= 0; ) {
                    seen.write(buffer, 0, n);
                    if (seen.size() >= piece.length) {
                        firstReceived.countDown();
                    }
                }
            }
            FakeDocker.write(r, 200, "{\"stream\":\"Loaded image: berth/testbox:latest\\n\"}\r\n"
                    + "{\"stream\":\"Loaded image ID: sha256:abc\\n\"}\r\n");
        });
        PipedInputStream tar = new PipedInputStream(piece.length);
        PipedOutputStream feed = new PipedOutputStream(tar);
        Thread feeder = new Thread(() -> {
            try (feed) {
                feed.write(piece);
                feed.flush();
                // the rest only once the daemon has the first piece: a client reading the whole tarball first would hang
                if (firstReceived.await(10, TimeUnit.SECONDS)) {
                    feed.write(piece);
                }
            } catch (IOException | InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        feeder.start();
        assertEquals(List.of("berth/testbox:latest", "sha256:abc"), docker.loadImage(tar));
        feeder.join(10_000);
        assertEquals(2 * piece.length, seen.size());
        assertTrue(daemon.requests().contains("/v1.41/images/load?quiet=1"), daemon.requests().toString());
    }

    @Test
    void loadImage_anErrorInTheAnswerStreamThrows() {
        daemon.answer("/v1.41/images/load", (q, r) -> {
            Content.Source.consumeAll(q);
            FakeDocker.write(r, 200, "{\"errorDetail\":{\"message\":\"unexpected EOF\"},\"error\":\"unexpected EOF\"}");
        });
        DockerApiException e = assertThrows(DockerApiException.class, () -> docker.loadImage(
                new ByteArrayInputStream("not a tarball".getBytes(StandardCharsets.UTF_8))));
        assertEquals("unexpected EOF", e.dockerMessage());

        daemon.answer("/v1.41/images/load", (q, r) -> {
            Content.Source.consumeAll(q);
            FakeDocker.write(r, 500, "{\"message\":\"invalid tar header\"}");
        });
        DockerApiException refused = assertThrows(DockerApiException.class,
                () -> docker.loadImage(new ByteArrayInputStream(new byte[10])));
        assertEquals(500, refused.status());
        assertEquals("invalid tar header", refused.dockerMessage());
    }

    @Test
    void loadImage_aFailingInputIsAnIoError() {
        daemon.answer("/v1.41/images/load", (q, r) -> {
            Content.Source.consumeAll(q);
            FakeDocker.write(r, 200, "{\"stream\":\"Loaded image: x:1\\n\"}");
        });
        InputStream broken = new InputStream() {
            private int sent;

            @Override
            public int read() throws IOException {
                if (sent++ < 5000) {
                    return 0;
                }
                throw new IOException("disk gone");
            }
        };
        UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> docker.loadImage(broken));
        assertTrue(e.getMessage().contains("disk gone"), e.getMessage());
    }

    @Test
    void readOnlyImplementations_refuseTheWriteSide() {
        DockerApi readOnly = (DockerApi) java.lang.reflect.Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {DockerApi.class}, (proxy, method, args) -> {
                    if (method.isDefault()) {
                        return java.lang.reflect.InvocationHandler.invokeDefault(proxy, method, args);
                    }
                    throw new AssertionError(method.getName());
                });
        assertThrows(UnsupportedOperationException.class, () -> readOnly.startContainer("web"));
        assertThrows(UnsupportedOperationException.class, () -> readOnly.imageExists("x"));
    }
}
