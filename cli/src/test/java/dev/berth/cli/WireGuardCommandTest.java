package dev.berth.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.kv.KvStore;
import dev.berth.kv.KvStores;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** berth wireguard rotate-key against an embedded store, with a stand-in for the plugin's side of the exchange. */
@Tag("unit")
class WireGuardCommandTest {
    static final String HOST = "0123456789abcdef0123456789abcdef";
    final ObjectMapper json = new ObjectMapper();

    @Test
    void rotateKey_writesTheRequest_printsProgress_untilTheNewKeyIsInForce(@TempDir Path tmp) throws Exception {
        try (KvStore store = KvStores.embedded(tmp.resolve("kv"))) {
            Thread plugin = new Thread(() -> {
                try {
                    while (store.get(WireGuardCommand.REQUESTS + HOST).isEmpty()) {
                        Thread.sleep(20);
                    }
                    String id = json.readTree(store.get(WireGuardCommand.REQUESTS + HOST).get().value())
                            .get("id").asText();
                    store.put(WireGuardCommand.STATUS + HOST, json.writeValueAsBytes(
                            new WireGuardCommand.Status(id, "running", "OLD=", "announcing it")));
                    Thread.sleep(150);
                    store.put(WireGuardCommand.STATUS + HOST, json.writeValueAsBytes(
                            new WireGuardCommand.Status(id, "done", "NEW=", "now in force: NEW=")));
                    store.delete(WireGuardCommand.REQUESTS + HOST);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            plugin.start();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            int rc = WireGuardCommand.rotate(store, HOST, Duration.ofSeconds(10),
                    new PrintStream(out, true, StandardCharsets.UTF_8), System.err);
            plugin.join();
            String text = out.toString(StandardCharsets.UTF_8);
            assertEquals(0, rc, text);
            assertTrue(text.contains("announcing it") && text.contains("in force: NEW="), text);
        }
    }

    @Test
    void rotateKey_givesUpAfterTheTimeout_whenNoPluginAnswers(@TempDir Path tmp) {
        try (KvStore store = KvStores.embedded(tmp.resolve("kv"))) {
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            assertEquals(1, WireGuardCommand.rotate(store, HOST, Duration.ofMillis(300), System.out,
                    new PrintStream(err, true, StandardCharsets.UTF_8)));
            assertTrue(err.toString(StandardCharsets.UTF_8).contains("no answer"));
            assertTrue(store.get(WireGuardCommand.REQUESTS + HOST).isPresent(), "the request stays for the plugin");
        }
    }

    @Test
    void hostId_isReadNeverCreated(@TempDir Path tmp) throws Exception {
        assertThrows(IllegalArgumentException.class, () -> WireGuardCommand.hostId(tmp.resolve("none")));
        Files.writeString(tmp.resolve("id"), HOST + "\n");
        assertEquals(HOST, WireGuardCommand.hostId(tmp.resolve("id")));
        assertEquals(0, Berth.run("wireguard", "rotate-key", "--help"));
        assertEquals(2, Berth.run("wireguard", "rotate-key", "--host-id-file", tmp.resolve("none").toString(),
                "--kv", "etcd://127.0.0.1:1/x"));
    }
}
