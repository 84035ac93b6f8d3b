package dev.berth.kv.consul;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.berth.kv.KvException;
import dev.berth.kv.KvUnavailableException;
import dev.berth.kv.KvUrl;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Our HTTP plumbing only (Jetty client, token header, status and timeout mapping), against the JDK's HTTP server on
 * loopback scripted per test. It is not a Consul stand-in: no Consul behaviour is imitated here.
 */
@Tag("unit")
class ConsulHttpTest {
    private record Seen(String method, String uri, String token, byte[] body) {
    }

    private HttpServer server;
    private final List<Seen> seen = new CopyOnWriteArrayList<>();
    private volatile int status = 200;
    private volatile String answer = "[]";
    private volatile long delayMs;
    private final AtomicInteger calls = new AtomicInteger();

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::handle);
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private void handle(HttpExchange ex) throws IOException {
        calls.incrementAndGet();
        seen.add(new Seen(ex.getRequestMethod(), ex.getRequestURI().toString(),
                ex.getRequestHeaders().getFirst("X-Consul-Token"), ex.getRequestBody().readAllBytes()));
        try {
            Thread.sleep(delayMs);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        byte[] body = answer.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("X-Consul-Index", "77");
        ex.sendResponseHeaders(status, body.length);
        ex.getResponseBody().write(body);
        ex.close();
    }

    private ConsulHttp client(String params) {
        return ConsulHttp.open(ConsulConfig.from(KvUrl.parse("consul://127.0.0.1:" + server.getAddress().getPort()
                + "/berth" + params)));
    }

    @Test
    void sendsTheTokenAndBodyAndReadsTheIndex() {
        try (ConsulHttp http = client("?token=t0k")) {
            ConsulHttp.Answer a = http.write(ConsulApi.txn(List.of(TxnOp.set("berth/k", new byte[] {1}))),
                    Duration.ofSeconds(2));
            assertEquals(200, a.status());
            assertEquals(77, a.index());
            Seen s = seen.get(0);
            assertEquals("PUT", s.method());
            assertEquals("/v1/txn", s.uri());
            assertEquals("t0k", s.token());
            assertArrayEquals(ConsulApi.txn(List.of(TxnOp.set("berth/k", new byte[] {1}))).body(), s.body());
            http.read(ConsulApi.blockingGet("berth/head", 5, Duration.ofSeconds(1)), Duration.ofSeconds(2));
            assertEquals("/v1/kv/berth/head?index=5&wait=1s", seen.get(1).uri());
        }
    }

    @Test
    void notFoundAndConflictAreAnswers() {
        try (ConsulHttp http = client("")) {
            status = 404;
            assertEquals(404, http.read(ConsulApi.get("berth/x"), Duration.ofSeconds(2)).status());
            status = 409;
            assertEquals(409, http.write(ConsulApi.txn(List.of(TxnOp.get("berth/x"))), Duration.ofSeconds(2))
                    .status());
            assertEquals(null, seen.get(0).token());
        }
    }

    @Test
    void forbiddenNamesTheAclToken() {
        try (ConsulHttp http = client("?token=wrong")) {
            status = 403;
            answer = "Permission denied";
            KvException e = assertThrows(KvException.class,
                    () -> http.read(ConsulApi.get("berth/x"), Duration.ofSeconds(2)));
            assertTrue(e.getMessage().contains("ACL token") && !(e instanceof KvUnavailableException), e.getMessage());
        }
    }

    @Test
    void serverErrorsAreRetriedForReadsButNotForWrites() {
        try (ConsulHttp http = client("")) {
            status = 500;
            answer = "rpc error: No cluster leader";
            long start = System.nanoTime();
            KvUnavailableException read = assertThrows(KvUnavailableException.class,
                    () -> http.read(ConsulApi.get("berth/x"), Duration.ofMillis(600)));
            assertTrue(calls.get() > 1, "retried " + calls.get());
            assertTrue((System.nanoTime() - start) / 1_000_000 < 2_000);
            assertTrue(read.getMessage().contains("No cluster leader"), read.getMessage());
            calls.set(0);
            KvUnavailableException write = assertThrows(KvUnavailableException.class,
                    () -> http.write(ConsulApi.txn(List.of(TxnOp.get("berth/x"))), Duration.ofSeconds(2)));
            assertEquals(1, calls.get());
            assertTrue(write.getMessage().contains("may or may not"), write.getMessage());
        }
    }

    @Test
    void noAnswerInTimeIsUnavailableWithinTheBudget() {
        try (ConsulHttp http = client("")) {
            delayMs = 1_200;
            long start = System.nanoTime();
            assertThrows(KvUnavailableException.class, () -> http.read(ConsulApi.get("berth/x"),
                    Duration.ofMillis(300)));
            long took = (System.nanoTime() - start) / 1_000_000;
            assertTrue(took < 1_000, "took " + took + " ms for a 300 ms budget");
        }
    }

    @Test
    void nobodyListeningIsUnavailableWithinTheBudget() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        try (ConsulHttp http = ConsulHttp.open(ConsulConfig.from(KvUrl.parse("consul://127.0.0.1:" + port
                + "/berth")))) {
            long start = System.nanoTime();
            assertThrows(KvUnavailableException.class, () -> http.write(ConsulApi.txn(List.of(TxnOp.get("b/x"))),
                    Duration.ofMillis(500)));
            assertTrue((System.nanoTime() - start) / 1_000_000 < 1_800);
        }
    }
}
