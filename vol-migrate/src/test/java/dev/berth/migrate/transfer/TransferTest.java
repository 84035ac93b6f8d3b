package dev.berth.migrate.transfer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.migrate.MigrationException;
import dev.berth.migrate.MigrationException.Kind;
import dev.berth.migrate.tls.AgentIdentity;
import dev.berth.migrate.tls.PeerConnection;
import dev.berth.migrate.tls.PinnedPeers;
import dev.berth.migrate.tls.SecureChannel;
import dev.berth.migrate.transfer.SnapshotSender.RoundRequest;
import dev.berth.migrate.zfs.FakeSnapshotStreams;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The round protocol over real TLS on 127.0.0.1 with in-memory ZFS on both sides: no root needed. */
@Tag("unit")
class TransferTest {
    private final FakeSnapshotStreams here = new FakeSnapshotStreams();
    private final FakeSnapshotStreams there = new FakeSnapshotStreams();
    private final AgentIdentity h1 = AgentIdentity.generate("h1");
    private final AgentIdentity h2 = AgentIdentity.generate("h2");
    private final PinnedPeers pins = new PinnedPeers();
    private SecureChannel.Server server;

    @BeforeEach
    void listen() {
        pins.pin("h1", h1.certificate());
        pins.pin("h2", h2.certificate());
        server = new SecureChannel(h2, pins).listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    }

    @AfterEach
    void close() {
        server.close();
    }

    private CompletableFuture<List<Object>> receiving() {
        var receiver = new SnapshotReceiver(there, "pool/berth", Duration.ofSeconds(10));
        return CompletableFuture.supplyAsync(() -> {
            List<Object> seen = new ArrayList<>();
            try (PeerConnection c = server.accept()) {
                while (true) {
                    try {
                        seen.add(receiver.receive(c, Progress.NONE));
                    } catch (MigrationException e) {
                        seen.add(e);
                        if (e.kind() == Kind.UNAVAILABLE) {
                            return seen;
                        }
                    }
                }
            }
        });
    }

    private PeerConnection connect() {
        return new SecureChannel(h1, pins).connect(new InetSocketAddress(InetAddress.getLoopbackAddress(),
                server.port()), "h2");
    }

    private static byte[] bytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    @Test
    void fullAndIncrementalRounds_carryHeaderStreamAndGuidAck() throws Exception {
        here.snapshot("tank/web", "m1", bytes(500_000, 1));
        here.snapshot("tank/web", "m2", bytes(20_000, 2));
        var receiver = receiving();
        var sender = new SnapshotSender(here, Duration.ofSeconds(10));
        List<Long> progress = new ArrayList<>();
        try (PeerConnection c = connect()) {
            RoundResult full = sender.send(c, RoundRequest.full("web", "tank/web@m1", "pool/berth/web"),
                    progress::add);
            assertEquals(here.guid("tank/web@m1"), full.guid());
            assertEquals(full.bytes(), progress.get(progress.size() - 1));
            RoundResult inc = sender.send(c, new RoundRequest("web", "tank/web@m2", "@m1", "pool/berth/web", 12L),
                    Progress.NONE);
            assertEquals("m1", inc.header().from());
            assertEquals(12L, inc.header().bytes());
        }
        List<Object> seen = receiver.get(10, TimeUnit.SECONDS);
        RoundResult got = assertInstanceOf(RoundResult.class, seen.get(1));
        assertEquals("h1", got.peer());
        assertEquals(here.guid("tank/web@m2"), there.guid("pool/berth/web@m2"));
        assertArrayEquals(here.data("tank/web@m2"), there.data("pool/berth/web@m2"));
    }

    @Test
    void aReceiverHoldingAnotherGuid_failsTheRoundOnBothSides() throws Exception {
        here.snapshot("tank/web", "m1", bytes(1000, 3));
        there.corruptReceivedGuids = true;
        var receiver = receiving();
        try (PeerConnection c = connect()) {
            var e = assertThrows(MigrationException.class, () -> new SnapshotSender(here).send(c,
                    RoundRequest.full("web", "tank/web@m1", "pool/berth/web"), Progress.NONE));
            assertEquals(Kind.PROTOCOL, e.kind());
            assertTrue(e.getMessage().contains("GUID"), e.getMessage());
        }
        var onReceiver = assertInstanceOf(MigrationException.class, receiver.get(10, TimeUnit.SECONDS).get(0));
        assertEquals(Kind.PROTOCOL, onReceiver.kind());
    }

    @Test
    void anIncrementalOntoASameNamedBaseWithAnotherGuid_isRefusedBeforeStreaming() throws Exception {
        here.snapshot("tank/web", "m1", bytes(1000, 4));
        here.snapshot("tank/web", "m2", bytes(1000, 5));
        there.snapshot("pool/berth/web", "m1", bytes(1000, 4)); // same name and data, taken separately
        var receiver = receiving();
        List<Long> progress = new ArrayList<>();
        try (PeerConnection c = connect()) {
            var e = assertThrows(MigrationException.class, () -> new SnapshotSender(here).send(c,
                    RoundRequest.incremental("web", "@m1", "tank/web@m2", "pool/berth/web"), progress::add));
            assertEquals(Kind.CONFLICT, e.kind());
            assertTrue(e.getMessage().startsWith("receiver h2:"), e.getMessage());
        }
        receiver.get(10, TimeUnit.SECONDS);
        assertEquals(List.of(), progress, "no stream byte was sent");
        assertEquals(1, there.snapshots("pool/berth/web").size());
    }

    @Test
    @SuppressWarnings("try") // the link is cut from inside the try, on purpose
    void aBrokenConnection_midStream_isTruncatedOnBothSides_andTheTargetKeepsItsSnapshots() throws Exception {
        here.snapshot("tank/web", "m1", bytes(2_000_000, 6));
        var receiver = receiving();
        try (PeerConnection c = connect()) {
            var e = assertThrows(MigrationException.class, () -> new SnapshotSender(here).send(c,
                    RoundRequest.full("web", "tank/web@m1", "pool/berth/web"), soFar -> {
                        if (soFar > 1_000_000) {
                            c.close();
                        }
                    }));
            assertEquals(Kind.TRUNCATED, e.kind(), e.getMessage());
        }
        var onReceiver = assertInstanceOf(MigrationException.class, receiver.get(10, TimeUnit.SECONDS).get(0));
        assertEquals(Kind.TRUNCATED, onReceiver.kind());
        assertEquals(List.of(), there.snapshots("pool/berth/web"));
    }
}
