package dev.berth.wireguard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.netlink.IpPrefix;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The UAPI client against a scripted daemon on a real unix socket (no root, no wireguard-go). */
@Tag("unit")
class UapiControlTest {
    @TempDir
    Path dir;

    private ServerSocketChannel server;
    private final List<String> requests = new CopyOnWriteArrayList<>();

    @AfterEach
    void stop() throws IOException {
        if (server != null) {
            server.close();
        }
    }

    /** A daemon for {@code iface} answering each request with {@code reply.apply(request)} (null: hang up). */
    private UapiControl daemon(String iface, Function<String, String> reply) throws IOException {
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(dir.resolve(iface + ".sock")));
        Thread t = new Thread(() -> {
            while (server.isOpen()) {
                try (SocketChannel c = server.accept()) {
                    ByteArrayOutputStream in = new ByteArrayOutputStream();
                    ByteBuffer b = ByteBuffer.allocate(1024);
                    while (!in.toString(StandardCharsets.UTF_8).endsWith("\n\n") && c.read(b.clear()) > 0) {
                        in.write(b.array(), 0, b.position());
                    }
                    String req = in.toString(StandardCharsets.UTF_8);
                    requests.add(req);
                    String r = reply.apply(req);
                    if (r != null) {
                        // in small pieces, as a slow daemon might
                        byte[] out = r.getBytes(StandardCharsets.UTF_8);
                        for (int i = 0; i < out.length; i += 7) {
                            c.write(ByteBuffer.wrap(out, i, Math.min(7, out.length - i)));
                        }
                    }
                } catch (IOException e) {
                    return;
                }
            }
        }, "fake-uapi");
        t.setDaemon(true);
        t.start();
        return new UapiControl(dir, Duration.ofSeconds(5));
    }

    @Test
    void configure_sendsTheSetRequest_andAcceptsErrnoZero() throws Exception {
        UapiControl c = daemon("wgt0", r -> "errno=0\n\n");
        PublicKey peer = Keys.generate().publicKey();
        c.configure("wgt0", DeviceConfig.unchanged().withListenPort(51820)
                .withPeer(PeerConfig.of(peer).withAllowedIps(List.of(IpPrefix.parse("10.9.0.2/32")))));
        assertEquals(List.of("set=1\nlisten_port=51820\npublic_key=" + peer.hex()
                + "\nallowed_ip=10.9.0.2/32\n\n"), requests);
    }

    @Test
    void configure_withNothingToChange_sendsNothing() throws Exception {
        UapiControl c = daemon("wgt0", r -> "errno=0\n\n");
        c.configure("wgt0", DeviceConfig.unchanged());
        assertTrue(requests.isEmpty());
    }

    @Test
    void read_parsesTheWholeReply_evenWhenItArrivesInPieces() throws Exception {
        KeyPair k = Keys.generate();
        UapiControl c = daemon("wgt0", r -> "private_key=" + k.privateKey().hex() + "\nlisten_port=7\n"
                + "public_key=" + k.publicKey().hex() + "\ntx_bytes=99\nerrno=0\n\n");
        DeviceState d = c.read("wgt0");
        assertEquals(List.of("get=1\n\n"), requests);
        assertEquals(k.publicKey(), d.publicKey());
        assertEquals(99, d.peer(k.publicKey()).orElseThrow().txBytes());
        assertTrue(c.answers("wgt0"));
    }

    @Test
    void aRefusedChange_isTypedByItsErrno() throws Exception {
        UapiControl c = daemon("wgt0", r -> "errno=-22\n\n");
        WireGuardException e = assertThrows(WireGuardException.class,
                () -> c.configure("wgt0", DeviceConfig.unchanged().withListenPort(1)));
        assertEquals(WireGuardException.Kind.INVALID, e.kind());
        assertEquals("wg set wgt0", e.operation());
    }

    @Test
    void aDaemonThatHangsUp_isAProtocolError() throws Exception {
        UapiControl c = daemon("wgt0", r -> null);
        assertEquals(WireGuardException.Kind.PROTOCOL,
                assertThrows(WireGuardException.class, () -> c.read("wgt0")).kind());
    }

    @Test
    void aDaemonThatNeverAnswers_timesOut() throws Exception {
        daemon("wgt0", r -> {
            try {
                Thread.sleep(3_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return null;
        });
        UapiControl c = new UapiControl(dir, Duration.ofMillis(300));
        WireGuardException e = assertThrows(WireGuardException.class, () -> c.read("wgt0"));
        assertEquals(WireGuardException.Kind.IO, e.kind());
        assertTrue(e.getMessage().contains("no reply within 300 ms"), e.getMessage());
    }

    @Test
    void noSocket_orAStaleOne_isNotFound() throws Exception {
        UapiControl c = new UapiControl(dir, Duration.ofSeconds(1));
        assertEquals(WireGuardException.Kind.NOT_FOUND,
                assertThrows(WireGuardException.class, () -> c.read("wgt9")).kind());
        assertFalse(c.answers("wgt9"));
        // a socket file nobody listens on, as a killed daemon leaves
        try (ServerSocketChannel s = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            s.bind(UnixDomainSocketAddress.of(dir.resolve("wgt8.sock")));
        }
        assertTrue(Files.exists(dir.resolve("wgt8.sock")));
        WireGuardException e = assertThrows(WireGuardException.class, () -> c.read("wgt8"));
        assertEquals(WireGuardException.Kind.NOT_FOUND, e.kind());
        assertEquals(111, e.errno());
    }

    @Test
    void interfaceNames_cannotEscapeTheSocketDirectory() {
        UapiControl c = new UapiControl(dir, Duration.ofSeconds(1));
        assertThrows(IllegalArgumentException.class, () -> c.socket("../x"));
        assertThrows(IllegalArgumentException.class, () -> c.socket("a-name-too-long-for-linux"));
    }
}
