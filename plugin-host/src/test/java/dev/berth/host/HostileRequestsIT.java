package dev.berth.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fires well over 1,000 malformed or hostile requests at a live plugin process: random and truncated JSON, wrong types,
 * 10 MB bodies, wrong content types, unknown paths, broken HTTP, and a concurrent burst of all of them. Every one must
 * get a clean error ({@code {"Err": "..."}}, 4xx), the process must survive with bounded memory, and the state must be
 * exactly what it was.
 */
@Tag("integration")
class HostileRequestsIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long SEED = 20261124L;
    private static final String[] MUTATING = {"/VolumeDriver.Create", "/VolumeDriver.Remove", "/VolumeDriver.Mount",
        "/VolumeDriver.Unmount"};

    @TempDir
    Path dir;

    @Test
    void thousandsOfHostileRequests_allGetACleanErrorAndChangeNothing() throws Exception {
        Path socket = dir.resolve("p.sock");
        try (PluginProcess plugin = PluginProcess.start(dir, socket, "-XX:+UseSerialGC", "-Xmx48m")
                .awaitReady(Duration.ofSeconds(20))) {
            assertEquals(200, UnixHttp.post(socket, "/VolumeDriver.Create", "{\"Name\":\"keep\"}").status());
            assertEquals(200, UnixHttp.post(socket, "/VolumeDriver.Mount", "{\"Name\":\"keep\",\"ID\":\"c1\"}").status());
            Files.writeString(dir.resolve("volumes/keep/data.txt"), "precious");
            String listBefore = UnixHttp.post(socket, "/VolumeDriver.List", "{}").body();
            List<String> filesBefore = tree(dir.resolve("volumes"));

            Random random = new Random(SEED);
            List<Supplier<UnixHttp.Reply>> attacks = new ArrayList<>();
            for (int i = 0; i < 300; i++) {
                String body = randomJunk(random);
                String path = MUTATING[random.nextInt(MUTATING.length)];
                attacks.add(() -> UnixHttp.post(socket, path, body));
            }
            String[] valid = {"{\"Name\":\"evil\",\"Opts\":{}}", "{\"Name\":\"keep\",\"ID\":\"c2\"}",
                "{\"Name\":\"keep\"}"};
            for (int i = 0; i < 200; i++) {
                String whole = valid[i % valid.length];
                String cut = whole.substring(0, 1 + random.nextInt(whole.length() - 1));
                String path = i % 3 == 0 ? "/VolumeDriver.Create" : i % 3 == 1 ? "/VolumeDriver.Unmount"
                        : "/VolumeDriver.Remove";
                attacks.add(() -> UnixHttp.post(socket, path, cut));
            }
            String[] wrongTypes = {"{\"Name\":1}", "{\"Name\":[\"x\"]}", "{\"Name\":{\"a\":1}}", "{\"Name\":null}",
                "{\"Name\":true}", "{\"Name\":\"x\",\"Opts\":[]}", "{\"Name\":\"x\",\"Opts\":{\"a\":{}}}",
                "{\"Name\":\"x\",\"Opts\":{\"a\":false}}", "{\"Name\":\"x\",\"Opts\":\"a=b\"}",
                "{\"Name\":\"keep\",\"ID\":7}", "\"Name\"", "42", "null", "[]", "true", "{\"Name\":\"x\"} {}",
                "{\"Name\":\"x\",\"Name\":\"y\"}", "{\"Name\":1e999999}", "{\"Name\":\"\\ud800\"", "{\"Name\":\"\"}"};
            for (int i = 0; i < 160; i++) {
                String body = wrongTypes[i % wrongTypes.length];
                String path = i % 2 == 0 ? "/VolumeDriver.Create" : "/VolumeDriver.Mount";
                attacks.add(() -> UnixHttp.post(socket, path, body));
            }
            byte[] tenMb = new byte[10 << 20];
            java.util.Arrays.fill(tenMb, (byte) '[');
            for (int i = 0; i < 12; i++) {
                attacks.add(() -> UnixHttp.request(socket, "POST", "/VolumeDriver.Create", Map.of(), tenMb));
            }
            for (int i = 0; i < 4; i++) {
                attacks.add(() -> UnixHttp.request(socket, "POST", "/VolumeDriver.Create",
                        Map.of("Transfer-Encoding", "chunked"), chunked(tenMb)));
            }
            String[] types = {"text/plain", "application/xml", "multipart/form-data; boundary=x",
                "application/x-www-form-urlencoded", "image/png"};
            for (int i = 0; i < 100; i++) {
                String ct = types[i % types.length];
                attacks.add(() -> UnixHttp.request(socket, "POST", "/VolumeDriver.Create", Map.of("Content-Type", ct),
                        "{\"Name\":\"evil\"}".getBytes(StandardCharsets.UTF_8)));
            }
            String[] paths = {"/", "/VolumeDriver", "/VolumeDriver.", "/volumedriver.create", "/VolumeDriver.Create/x",
                "/../VolumeDriver.Create", "/Plugin.Deactivate", "/NetworkDriver.Join", "/IpamDriver.RequestPool",
                "/%00", "/VolumeDriver.Create%20", "/" + "A".repeat(4000), "/metrics/x", "/status.json"};
            for (int i = 0; i < 140; i++) {
                String p = paths[i % paths.length];
                attacks.add(() -> UnixHttp.post(socket, p, "{\"Name\":\"evil\"}"));
            }
            String[] rawHttp = {"GARBAGE\r\n\r\n", "POST /VolumeDriver.Create HTTP/9.9\r\n\r\n",
                "POST /VolumeDriver.Create HTTP/1.1\r\nContent-Length: -5\r\n\r\n",
                "POST /VolumeDriver.Create HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n{}",
                "POST /VolumeDriver.Create HTTP/1.1\r\nHost: x\r\nX: " + "y".repeat(20000) + "\r\n\r\n",
                "POST /VolumeDriver.Create HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"Name\":"};
            for (int i = 0; i < 60; i++) {
                byte[] raw = rawHttp[i % rawHttp.length].getBytes(StandardCharsets.ISO_8859_1);
                attacks.add(() -> UnixHttp.exchange(socket, raw));
            }
            int sequential = attacks.size();
            for (Supplier<UnixHttp.Reply> attack : attacks) {
                assertCleanError(attack.get());
            }
            // the same storm again, 32 at a time
            ExecutorService pool = Executors.newFixedThreadPool(32);
            try {
                List<Future<UnixHttp.Reply>> burst = new ArrayList<>();
                for (Supplier<UnixHttp.Reply> attack : attacks) {
                    burst.add(pool.submit(attack::get));
                }
                for (Future<UnixHttp.Reply> f : burst) {
                    assertCleanError(f.get(60, TimeUnit.SECONDS));
                }
            } finally {
                pool.shutdownNow();
            }
            assertTrue(sequential * 2 >= 1000, "fired " + sequential * 2);

            assertTrue(plugin.process.isAlive(), "plugin survived: " + plugin.log());
            assertEquals(200, UnixHttp.post(socket, "/Plugin.Activate", "").status());
            assertEquals(listBefore, UnixHttp.post(socket, "/VolumeDriver.List", "{}").body());
            assertEquals(filesBefore, tree(dir.resolve("volumes")));
            assertEquals("precious", Files.readString(dir.resolve("volumes/keep/data.txt")));
            long rss = plugin.rssBytes();
            assertTrue(rss < 160L << 20, "RSS after the storm " + (rss >> 20) + " MiB");
            System.out.printf("hostile requests: %d fired, all refused cleanly; plugin RSS after: %d MiB%n",
                    sequential * 2, rss >> 20);
        }
    }

    private static void assertCleanError(UnixHttp.Reply reply) throws IOException {
        // 4xx, or 505 for an HTTP version that does not exist; never a 5xx from inside the plugin
        assertTrue(reply.status() >= 400 && reply.status() < 500 || reply.status() == 505,
                "status " + reply.status() + ": " + reply.body());
        JsonNode body = JSON.readTree(reply.body());
        assertTrue(body.isObject() && body.path("Err").isTextual() && !body.path("Err").asText().isBlank(),
                "no Err in: " + reply.body());
    }

    /** Random JSON-looking text that never forms a request creating or removing something. */
    private static String randomJunk(Random random) {
        String[] tokens = {"{", "}", "[", "]", ":", ",", "\"Name\"", "\"ID\"", "\"Opts\"", "1", "-0.5e3", "null",
            "true", "\"", "\\", " ", "\n", "\u00e9", "\\u0000", "\"\\uDEAD\""};
        while (true) {
            StringBuilder sb = new StringBuilder();
            int n = 1 + random.nextInt(40);
            for (int i = 0; i < n; i++) {
                sb.append(tokens[random.nextInt(tokens.length)]);
            }
            String candidate = sb.toString();
            if (!(candidate.isBlank() || parsesAsRequest(candidate))) {
                return candidate;
            }
        }
    }

    private static boolean parsesAsRequest(String s) {
        try {
            JsonNode n = JSON.readTree(s);
            return n != null && n.isObject() && n.path("Name").isTextual();
        } catch (IOException e) {
            return false;
        }
    }

    private static byte[] chunked(byte[] data) {
        StringBuilder sb = new StringBuilder();
        int chunk = 1 << 16;
        for (int off = 0; off < data.length; off += chunk) {
            int len = Math.min(chunk, data.length - off);
            sb.append(Integer.toHexString(len)).append("\r\n")
                    .append(new String(data, off, len, StandardCharsets.ISO_8859_1)).append("\r\n");
        }
        sb.append("0\r\n\r\n");
        return sb.toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    private static List<String> tree(Path root) throws IOException {
        try (Stream<Path> walk = Files.walk(root)) {
            return walk.map(p -> root.relativize(p).toString()).sorted().toList();
        }
    }
}
