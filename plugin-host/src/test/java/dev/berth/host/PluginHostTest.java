package dev.berth.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.host.api.volume.CapabilitiesResponse;
import dev.berth.host.api.volume.CreateRequest;
import dev.berth.host.api.volume.GetResponse;
import dev.berth.host.api.volume.ListResponse;
import dev.berth.host.api.volume.MountRequest;
import dev.berth.host.api.volume.MountpointResponse;
import dev.berth.host.api.volume.VolumeRequest;
import dev.berth.host.internal.SocketGuard;
import dev.berth.host.spi.VolumeDriver;
import dev.berth.host.testvol.DirVolumeDriver;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@Tag("unit")
class PluginHostTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;
    Path socket;
    Path volumes;
    PluginHost host;

    @BeforeEach
    void start() {
        socket = dir.resolve("p.sock");
        volumes = dir.resolve("volumes");
        host = PluginHost.builder(PluginConfig.defaults(socket).withName("test"))
                .driver(new DirVolumeDriver(volumes)).start();
    }

    @AfterEach
    void stop() {
        host.close();
    }

    private static JsonNode json(UnixHttp.Reply r) throws IOException {
        return JSON.readTree(r.body());
    }

    @Test
    void activate_answersTheImplementedInterfaces() throws IOException {
        UnixHttp.Reply r = UnixHttp.post(socket, "/Plugin.Activate", "{}");
        assertEquals(200, r.status());
        assertEquals("{\"Implements\":[\"VolumeDriver\"]}", r.body());
        assertEquals("application/vnd.docker.plugins.v1.2+json", r.header("content-type"));
    }

    @Test
    void volumeCalls_reachTheDriverWithDockersFieldNames() throws IOException {
        assertEquals(200, UnixHttp.post(socket, "/VolumeDriver.Create", "{\"Name\":\"v1\",\"Opts\":{}}").status());
        UnixHttp.Reply mount = UnixHttp.post(socket, "/VolumeDriver.Mount", "{\"Name\":\"v1\",\"ID\":\"c1\"}");
        assertEquals(volumes.resolve("v1").toString(), json(mount).get("Mountpoint").asText());
        UnixHttp.Reply list = UnixHttp.post(socket, "/VolumeDriver.List", "");
        assertEquals("v1", json(list).get("Volumes").get(0).get("Name").asText());
        UnixHttp.Reply caps = UnixHttp.post(socket, "/VolumeDriver.Capabilities", "{}");
        assertEquals("{\"Capabilities\":{\"Scope\":\"local\"}}", caps.body());
    }

    @Test
    void blankHostHeader_asTheDockerDaemonSendsIt_isAccepted() {
        // byte for byte what Docker 20.10 sent to a plugin socket
        byte[] raw = ("POST /Plugin.Activate HTTP/1.1\r\nHost: \r\nUser-Agent: Go-http-client/1.1\r\n"
                + "Content-Length: 0\r\nAccept: application/vnd.docker.plugins.v1.2+json\r\nConnection: close\r\n\r\n")
                .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        UnixHttp.Reply r = UnixHttp.exchange(socket, raw);
        assertEquals(200, r.status(), r.body());
        byte[] caps = ("POST /VolumeDriver.Capabilities HTTP/1.1\r\nHost: \r\nUser-Agent: Go-http-client/1.1\r\n"
                + "Content-Length: 3\r\nAccept: application/vnd.docker.plugins.v1.2+json\r\nConnection: close\r\n\r\n{}\n")
                .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        assertEquals(200, UnixHttp.exchange(socket, caps).status());
    }

    @Test
    void unknownMethod_is404WithErr() throws IOException {
        UnixHttp.Reply r = UnixHttp.post(socket, "/NetworkDriver.CreateNetwork", "{\"NetworkID\":\"n\"}");
        assertEquals(404, r.status());
        assertTrue(json(r).get("Err").asText().contains("does not implement"), r.body());
    }

    @Test
    void malformedJson_is400NamingWhere() throws IOException {
        UnixHttp.Reply r = UnixHttp.post(socket, "/VolumeDriver.Create", "{\"Name\": \"v1\",");
        assertEquals(400, r.status());
        assertTrue(json(r).get("Err").asText().startsWith("malformed JSON at line 1"), r.body());
    }

    @Test
    void wrongType_is400NamingTheField() throws IOException {
        UnixHttp.Reply r = UnixHttp.post(socket, "/VolumeDriver.Create", "{\"Name\":\"v1\",\"Opts\":{\"size\":5}}");
        assertEquals(400, r.status());
        assertEquals("field Opts.size has the wrong type: expected a string, got a number",
                json(r).get("Err").asText());
        UnixHttp.Reply n = UnixHttp.post(socket, "/VolumeDriver.Create", "{\"Name\":42}");
        assertTrue(json(n).get("Err").asText().startsWith("field Name has the wrong type: expected a string"), n.body());
    }

    @Test
    void missingRequiredField_is400NamingIt() throws IOException {
        UnixHttp.Reply r = UnixHttp.post(socket, "/VolumeDriver.Mount", "{\"Name\":\"v1\"}");
        assertEquals(400, r.status());
        assertEquals("missing required field ID", json(r).get("Err").asText());
        assertEquals("missing required field Name",
                json(UnixHttp.post(socket, "/VolumeDriver.Remove", "")).get("Err").asText());
    }

    @Test
    void nonObjectBody_is400() throws IOException {
        UnixHttp.Reply r = UnixHttp.post(socket, "/VolumeDriver.Create", "[1,2]");
        assertEquals(400, r.status());
        assertTrue(json(r).get("Err").asText().startsWith("request body must be a JSON object"), r.body());
    }

    @Test
    void oversizedBody_is400() throws IOException {
        byte[] big = new byte[2 << 20];
        java.util.Arrays.fill(big, (byte) ' ');
        UnixHttp.Reply r = UnixHttp.request(socket, "POST", "/VolumeDriver.Create", Map.of(), big);
        assertEquals(400, r.status());
        assertTrue(json(r).get("Err").asText().contains("exceeds the limit of 1048576 bytes"), r.body());
    }

    @Test
    void wrongContentType_is415AndGet_is405() throws IOException {
        UnixHttp.Reply r = UnixHttp.request(socket, "POST", "/VolumeDriver.List", Map.of("Content-Type", "text/xml"),
                "<x/>".getBytes());
        assertEquals(415, r.status());
        assertTrue(json(r).has("Err"));
        UnixHttp.Reply g = UnixHttp.get(socket, "/VolumeDriver.List");
        assertEquals(405, g.status());
        assertTrue(json(g).has("Err"));
    }

    @Test
    void driverErrors_mapToStatusAndErr() throws IOException {
        UnixHttp.Reply missing = UnixHttp.post(socket, "/VolumeDriver.Get", "{\"Name\":\"nope\"}");
        assertEquals(404, missing.status());
        assertEquals("no such volume: nope", json(missing).get("Err").asText());
        UnixHttp.post(socket, "/VolumeDriver.Create", "{\"Name\":\"busy\"}");
        UnixHttp.post(socket, "/VolumeDriver.Mount", "{\"Name\":\"busy\",\"ID\":\"c9\"}");
        UnixHttp.Reply conflict = UnixHttp.post(socket, "/VolumeDriver.Remove", "{\"Name\":\"busy\"}");
        assertEquals(409, conflict.status());
        UnixHttp.Reply bad = UnixHttp.post(socket, "/VolumeDriver.Create", "{\"Name\":\"../etc\"}");
        assertEquals(400, bad.status());
    }

    @Test
    void unexpectedDriverFailure_is500AndTheHostKeepsServing() throws IOException {
        host.close();
        host = PluginHost.builder(PluginConfig.defaults(socket)).driver(new ExplodingDriver()).start();
        UnixHttp.Reply r = UnixHttp.post(socket, "/VolumeDriver.List", "{}");
        assertEquals(500, r.status());
        assertTrue(json(r).get("Err").asText().contains("IllegalStateException: boom"), r.body());
        assertEquals(200, UnixHttp.post(socket, "/Plugin.Activate", "").status());
    }

    @Test
    void badRequest_changesNothing() throws IOException {
        UnixHttp.post(socket, "/VolumeDriver.Create", "{\"Name\":\"keep\"}");
        UnixHttp.post(socket, "/VolumeDriver.Create", "{\"Name\":\"v2\",\"Opts\":{\"x\":\"y\"}}");
        UnixHttp.post(socket, "/VolumeDriver.Remove", "{\"Name\":\"keep\",");
        UnixHttp.post(socket, "/VolumeDriver.Remove", "{\"Nam\":\"keep\"}");
        JsonNode vols = json(UnixHttp.post(socket, "/VolumeDriver.List", "{}")).get("Volumes");
        assertEquals(1, vols.size());
        assertEquals("keep", vols.get(0).get("Name").asText());
    }

    @Test
    void metrics_countCallsErrorsAndLatencyPerMethod() {
        UnixHttp.post(socket, "/VolumeDriver.Get", "{\"Name\":\"nope\"}");
        UnixHttp.post(socket, "/VolumeDriver.List", "{}");
        UnixHttp.post(socket, "/No.Such", "{}");
        UnixHttp.Reply m = UnixHttp.get(socket, "/metrics");
        assertEquals(200, m.status());
        assertTrue(m.body().contains("berth_plugin_calls_total{method=\"VolumeDriver.Get\"} 1\n"), m.body());
        assertTrue(m.body().contains("berth_plugin_errors_total{method=\"VolumeDriver.Get\"} 1\n"));
        assertTrue(m.body().contains("berth_plugin_errors_total{method=\"VolumeDriver.List\"} 0\n"));
        assertTrue(m.body().contains("berth_plugin_calls_total{method=\"unknown\"} 1\n"));
        assertTrue(m.body().contains("berth_plugin_call_duration_seconds_count{method=\"VolumeDriver.List\"} 1\n"));
        assertTrue(m.body().contains("berth_plugin_call_duration_seconds_bucket{method=\"VolumeDriver.List\",le=\"+Inf\"} 1\n"));
    }

    @Test
    void status_reportsNameVersionAndChecks() throws IOException {
        host.close();
        host = PluginHost.builder(PluginConfig.defaults(socket).withName("berth/test"))
                .driver(new DirVolumeDriver(volumes))
                .healthCheck(new HealthCheck() {
                    @Override
                    public String name() {
                        return "store";
                    }

                    @Override
                    public java.util.Optional<String> problem() {
                        return java.util.Optional.of("unreachable");
                    }
                }).start();
        UnixHttp.Reply s = UnixHttp.get(socket, "/status");
        assertEquals(503, s.status());
        JsonNode body = json(s);
        assertEquals("berth/test", body.get("Name").asText());
        assertEquals("unreachable", body.get("Checks").get("store").asText());
    }

    @Test
    void socket_isOwnerOnly() throws IOException {
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(socket)));
    }

    @Test
    void liveSocket_isNeverStolen() {
        PluginConfig same = PluginConfig.defaults(socket);
        SocketGuard.SocketUnavailableException e = assertThrows(SocketGuard.SocketUnavailableException.class,
                () -> PluginHost.builder(same).driver(new DirVolumeDriver(volumes)).start());
        assertTrue(e.getMessage().contains("another live process"), e.getMessage());
        assertEquals(200, UnixHttp.post(socket, "/Plugin.Activate", "").status());
    }

    @Test
    void staleSocket_isReplaced() throws IOException {
        Path stale = dir.resolve("stale.sock");
        try (ServerSocketChannel ch = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.bind(UnixDomainSocketAddress.of(stale));
        }
        assertTrue(Files.exists(stale), "closing a bound unix socket leaves its file behind");
        try (PluginHost second = PluginHost.builder(PluginConfig.defaults(stale)).driver(new DirVolumeDriver(volumes))
                .start()) {
            assertEquals(200, UnixHttp.post(stale, "/Plugin.Activate", "").status());
        }
        assertFalse(Files.exists(stale), "a stopped host removes its socket");
    }

    @Test
    void regularFileAtSocketPath_isNeverDeleted() throws IOException {
        Path file = dir.resolve("precious.sock");
        Files.writeString(file, "data");
        assertThrows(SocketGuard.SocketUnavailableException.class,
                () -> PluginHost.builder(PluginConfig.defaults(file)).driver(new DirVolumeDriver(volumes)).start());
        assertEquals("data", Files.readString(file));
    }

    @Test
    void close_letsAnInFlightCallFinishAndRemovesTheSocket() throws Exception {
        host.close();
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        host = PluginHost.builder(PluginConfig.defaults(socket).withStopTimeout(Duration.ofSeconds(10)))
                .driver(new SlowMountDriver(new DirVolumeDriver(volumes), entered, release)).start();
        UnixHttp.post(socket, "/VolumeDriver.Create", "{\"Name\":\"slow\"}");
        CompletableFuture<UnixHttp.Reply> call = CompletableFuture.supplyAsync(
                () -> UnixHttp.post(socket, "/VolumeDriver.Mount", "{\"Name\":\"slow\",\"ID\":\"c\"}"));
        assertTrue(entered.await(5, TimeUnit.SECONDS));
        CompletableFuture<Void> stopping = CompletableFuture.runAsync(host::close);
        Thread.sleep(300);
        assertFalse(stopping.isDone(), "stop waits for the in-flight call");
        release.countDown();
        assertEquals(200, call.get(10, TimeUnit.SECONDS).status());
        stopping.get(10, TimeUnit.SECONDS);
        assertFalse(Files.exists(socket));
    }

    /** Wraps a driver so that Mount blocks until released. */
    private record SlowMountDriver(VolumeDriver inner, CountDownLatch entered, CountDownLatch release)
            implements VolumeDriver {
        @Override
        public MountpointResponse mount(MountRequest request) {
            entered.countDown();
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return inner.mount(request);
        }

        @Override
        public void create(CreateRequest r) {
            inner.create(r);
        }

        @Override
        public void remove(VolumeRequest r) {
            inner.remove(r);
        }

        @Override
        public void unmount(MountRequest r) {
            inner.unmount(r);
        }

        @Override
        public MountpointResponse path(VolumeRequest r) {
            return inner.path(r);
        }

        @Override
        public GetResponse get(VolumeRequest r) {
            return inner.get(r);
        }

        @Override
        public ListResponse list() {
            return inner.list();
        }

        @Override
        public CapabilitiesResponse capabilities() {
            return inner.capabilities();
        }
    }

    private static final class ExplodingDriver extends SlowMountDriverBase {
        @Override
        public ListResponse list() {
            throw new IllegalStateException("boom");
        }
    }

    private abstract static class SlowMountDriverBase implements VolumeDriver {
        @Override
        public void create(CreateRequest r) {
        }

        @Override
        public void remove(VolumeRequest r) {
        }

        @Override
        public MountpointResponse mount(MountRequest r) {
            return new MountpointResponse("/");
        }

        @Override
        public void unmount(MountRequest r) {
        }

        @Override
        public MountpointResponse path(VolumeRequest r) {
            return new MountpointResponse("/");
        }

        @Override
        public GetResponse get(VolumeRequest r) {
            return new GetResponse(null);
        }

        @Override
        public CapabilitiesResponse capabilities() {
            return CapabilitiesResponse.scope("local");
        }
    }
}
