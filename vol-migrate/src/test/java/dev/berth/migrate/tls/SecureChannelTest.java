package dev.berth.migrate.tls;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.migrate.MigrationException;
import dev.berth.migrate.MigrationException.Kind;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Mutual TLS 1.3 with pinned self-signed certificates, on 127.0.0.1 only. */
@Tag("unit")
class SecureChannelTest {
    private static final InetSocketAddress ANY_PORT = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    private final AgentIdentity h1 = AgentIdentity.generate("h1");
    private final AgentIdentity h2 = AgentIdentity.generate("h2");
    private SecureChannel.Server server;

    @AfterEach
    void close() {
        if (server != null) {
            server.close();
        }
    }

    private static PinnedPeers pins(AgentIdentity... ids) {
        PinnedPeers p = new PinnedPeers();
        for (AgentIdentity id : ids) {
            p.pinPem(id.hostId(), id.certificatePem());
        }
        return p;
    }

    private InetSocketAddress serve(AgentIdentity id, PinnedPeers pins) {
        server = new SecureChannel(id, pins).listen(ANY_PORT);
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), server.port());
    }

    private CompletableFuture<PeerConnection> acceptOne() {
        return CompletableFuture.supplyAsync(server::accept);
    }

    @Test
    void twoPinnedAgents_authenticateEachOtherAndExchangeDataBothWays() throws Exception {
        InetSocketAddress at = serve(h2, pins(h1));
        var accepted = acceptOne();
        try (PeerConnection client = new SecureChannel(h1, pins(h2)).connect(at, "h2");
             PeerConnection srv = accepted.get(10, TimeUnit.SECONDS)) {
            assertEquals("h2", client.peerHostId());
            assertEquals("h1", srv.peerHostId());
            assertEquals("TLSv1.3", client.protocol());
            assertEquals("TLSv1.3", srv.protocol());
            byte[] big = new byte[3 << 20];
            new java.util.Random(1).nextBytes(big);
            var reader = CompletableFuture.supplyAsync(() -> readN(srv.input(), big.length));
            client.output().write(big);
            client.output().flush();
            assertArrayEquals(big, reader.get(10, TimeUnit.SECONDS));
            srv.output().write("pong".getBytes(StandardCharsets.US_ASCII));
            srv.output().flush();
            assertEquals("pong", new String(readN(client.input(), 4), StandardCharsets.US_ASCII));
        }
    }

    @Test
    void unpinnedClient_isRefusedByTheServer() throws Exception {
        InetSocketAddress at = serve(h2, pins());  // the server pins nobody
        var accepted = acceptOne();
        var e = assertThrows(MigrationException.class, () -> new SecureChannel(h1, pins(h2)).connect(at, "h2"));
        assertEquals(Kind.UNTRUSTED, e.kind(), e.getMessage());
        var onServer = assertThrows(ExecutionException.class, () -> accepted.get(10, TimeUnit.SECONDS));
        assertEquals(Kind.UNTRUSTED, ((MigrationException) onServer.getCause()).kind());
        assertTrue(onServer.getCause().getMessage().contains("not pinned"), onServer.getCause().getMessage());
    }

    @Test
    void unpinnedServer_isRefusedByTheClient() {
        InetSocketAddress at = serve(h2, pins(h1));
        var accepted = acceptOne();
        var e = assertThrows(MigrationException.class, () -> new SecureChannel(h1, pins()).connect(at, "h2"));
        assertEquals(Kind.UNTRUSTED, e.kind());
        assertTrue(e.getMessage().contains("not pinned"), e.getMessage());
        assertThrows(ExecutionException.class, () -> accepted.get(10, TimeUnit.SECONDS));
    }

    @Test
    void aServerPinnedForAnotherHost_isNotTheOneAskedFor() {
        AgentIdentity h3 = AgentIdentity.generate("h3");
        InetSocketAddress at = serve(h3, pins(h1));
        acceptOne();
        var e = assertThrows(MigrationException.class, () -> new SecureChannel(h1, pins(h2, h3)).connect(at, "h2"));
        assertEquals(Kind.UNTRUSTED, e.kind());
        assertTrue(e.getMessage().contains("is host h3, not h2"), e.getMessage());
    }

    @Test
    void aSameNamedCertificateThatIsNotThePinnedOne_isRefused() {
        AgentIdentity impostor = AgentIdentity.generate("h1"); // same CN, other key
        InetSocketAddress at = serve(h2, pins(h1));
        acceptOne();
        var e = assertThrows(MigrationException.class, () -> new SecureChannel(impostor, pins(h2)).connect(at, "h2"));
        assertEquals(Kind.UNTRUSTED, e.kind());
    }

    @Test
    void plainTcpToTheTlsPort_getsNoApplicationData() throws Exception {
        InetSocketAddress at = serve(h2, pins(h1));
        var accepted = acceptOne();
        byte[] answer;
        try (Socket plain = new Socket()) {
            plain.connect(at, 5000);
            plain.setSoTimeout(10_000);
            plain.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            plain.getOutputStream().flush();
            answer = plain.getInputStream().readAllBytes();
        } catch (IOException e) {
            answer = new byte[0]; // reset by the server: nothing either
        }
        // at most a TLS alert record (content type 21), never the acceptance byte or any data
        assertTrue(answer.length == 0 || answer[0] == 21, "got " + answer.length + " bytes, first " + answer[0]);
        var onServer = assertThrows(ExecutionException.class, () -> accepted.get(10, TimeUnit.SECONDS));
        assertEquals(Kind.UNTRUSTED, ((MigrationException) onServer.getCause()).kind());
    }

    @Test
    void identity_isKeptRootOnlyAndReusedOnRestart(@TempDir Path tmp) throws IOException {
        Path dir = tmp.resolve("agent");
        AgentIdentity first = AgentIdentity.loadOrCreate(dir, "h7");
        AgentIdentity again = AgentIdentity.loadOrCreate(dir, "h7");
        assertEquals(first.fingerprint(), again.fingerprint());
        assertEquals(first.certificatePem(), again.certificatePem());
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)));
        for (String f : new String[] {AgentIdentity.KEY_FILE, AgentIdentity.CERT_FILE}) {
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve(f))));
        }
        assertTrue(Files.readString(dir.resolve(AgentIdentity.KEY_FILE)).startsWith("-----BEGIN PRIVATE KEY-----"));
        try (var files = Files.list(dir)) {
            assertEquals(2, files.count(), "no temporary file left");
        }
        assertEquals("h7", Pem.commonName(first.certificate()));
        assertEquals(64, first.fingerprint().length());
        assertNotEquals(first.fingerprint(), AgentIdentity.generate("h7").fingerprint());
        var e = assertThrows(MigrationException.class, () -> AgentIdentity.loadOrCreate(dir, "h8"));
        assertEquals(Kind.CONFLICT, e.kind());
        assertThrows(MigrationException.class, () -> AgentIdentity.loadOrCreate(tmp.resolve("x"), "../etc"));
    }

    @Test
    void identityReloadedFromDisk_stillAuthenticates(@TempDir Path tmp) throws Exception {
        AgentIdentity.loadOrCreate(tmp.resolve("a"), "h1");
        AgentIdentity reloaded = AgentIdentity.loadOrCreate(tmp.resolve("a"), "h1");
        InetSocketAddress at = serve(h2, pins(reloaded));
        var accepted = acceptOne();
        try (PeerConnection c = new SecureChannel(reloaded, pins(h2)).connect(at, "h2")) {
            assertEquals("h1", accepted.get(10, TimeUnit.SECONDS).peerHostId());
            assertEquals("h2", c.peerHostId());
        }
    }

    @Test
    void pins_refuseACertificatePublishedUnderAnotherNameAndCanBeRemoved() {
        PinnedPeers p = pins(h1);
        var e = assertThrows(MigrationException.class, () -> p.pin("h9", h2.certificate()));
        assertEquals(Kind.BAD_REQUEST, e.kind());
        assertEquals("h1", p.hostIdOf(h1.certificate()).orElseThrow());
        assertEquals(h1.fingerprint(), p.fingerprintOf("h1").orElseThrow());
        AgentIdentity renewed = AgentIdentity.generate("h1");
        p.pin("h1", renewed.certificate()); // replaces the old one
        assertTrue(p.hostIdOf(h1.certificate()).isEmpty());
        p.unpin("h1");
        assertTrue(p.hostIdOf(renewed.certificate()).isEmpty());
        assertThrows(MigrationException.class, () -> p.pinPem("h1", "not a certificate"));
    }

    private static byte[] readN(InputStream in, int n) {
        try {
            return in.readNBytes(n);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
