package dev.berth.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The plugin as a real process: signals, exit codes, a second instance on the same socket. */
@Tag("integration")
class PluginProcessIT {
    @TempDir
    Path dir;

    @Test
    void sigterm_stopsCleanlyAndRemovesTheSocket() {
        Path socket = dir.resolve("p.sock");
        try (PluginProcess p = PluginProcess.start(dir, socket).awaitReady(Duration.ofSeconds(20))) {
            assertEquals(200, UnixHttp.post(socket, "/Plugin.Activate", "").status());
            int code = p.terminate(Duration.ofSeconds(20));
            assertEquals(143, code, "SIGTERM exit status; log: " + p.log());
            assertFalse(Files.exists(socket), "socket removed on SIGTERM");
            assertTrue(p.log().contains("stopping"), p.log());
        }
    }

    @Test
    void secondProcessOnALiveSocket_exits2AndLeavesTheFirstServing() throws InterruptedException {
        Path socket = dir.resolve("p.sock");
        try (PluginProcess first = PluginProcess.start(dir, socket).awaitReady(Duration.ofSeconds(20));
             PluginProcess second = PluginProcess.start(dir, socket)) {
            assertTrue(second.process.waitFor(20, TimeUnit.SECONDS));
            assertEquals(2, second.process.exitValue());
            assertTrue(second.log().contains("another live process is serving"), second.log());
            assertEquals(200, UnixHttp.post(socket, "/Plugin.Activate", "").status());
            assertTrue(first.process.isAlive());
        }
    }

    @Test
    void killedProcess_leavesAStaleSocketThatTheNextOneReplaces() {
        Path socket = dir.resolve("p.sock");
        try (PluginProcess first = PluginProcess.start(dir, socket).awaitReady(Duration.ofSeconds(20))) {
            first.process.destroyForcibly();
            first.process.onExit().join();
        }
        assertTrue(Files.exists(socket), "kill -9 leaves the socket file");
        try (PluginProcess next = PluginProcess.start(dir, socket).awaitReady(Duration.ofSeconds(20))) {
            assertEquals(200, UnixHttp.post(socket, "/Plugin.Activate", "").status());
        }
    }

    @Test
    void badConfiguration_exits2WithTheReason() throws InterruptedException {
        Path socket = dir.resolve("p.sock");
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "dev.berth.host.testvol.DirVolumePlugin");
        pb.environment().put("BERTH_SOCKET", socket.toString());
        pb.environment().put("BERTH_MAX_THREADS", "many");
        pb.redirectErrorStream(true);
        Process p;
        try {
            p = pb.start();
            String out = new String(p.getInputStream().readAllBytes());
            assertTrue(p.waitFor(20, TimeUnit.SECONDS));
            assertEquals(2, p.exitValue());
            assertTrue(out.contains("BERTH_MAX_THREADS must be a whole number, not 'many'"), out);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
