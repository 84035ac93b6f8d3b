package dev.berth.migrate.transfer;

import static dev.berth.migrate.zfs.ZfsFusePool.zfs;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.migrate.MigrationException;
import dev.berth.migrate.MigrationException.Kind;
import dev.berth.migrate.precopy.RoundPolicy;
import dev.berth.migrate.tls.AgentIdentity;
import dev.berth.migrate.tls.PeerConnection;
import dev.berth.migrate.tls.PinnedPeers;
import dev.berth.migrate.tls.SecureChannel;
import dev.berth.migrate.transfer.SnapshotSender.RoundRequest;
import dev.berth.migrate.zfs.SnapshotId;
import dev.berth.migrate.zfs.SnapshotStreams;
import dev.berth.migrate.zfs.ZfsFusePool;
import dev.berth.migrate.zfs.ZfsStreams;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Rounds between two agents over mutual TLS on 127.0.0.1, each with its own zfs-fuse pool: the sending host h1 holds
 * {@code bmigsrc.../vol}, the receiving host h2 receives below {@code bmigdst...}.
 */
@Tag("integration")
class TransferIT {
    private static final InetSocketAddress LOOPBACK = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    private static ZfsFusePool src;
    private static ZfsFusePool dst;
    private static int n;
    private final SnapshotStreams streams = ZfsStreams.standard();
    private final AgentIdentity h1 = AgentIdentity.generate("h1");
    private final AgentIdentity h2 = AgentIdentity.generate("h2");
    private final PinnedPeers pins = new PinnedPeers();
    private SecureChannel.Server server;
    private String source;
    private String target;

    @BeforeAll
    static void pools() {
        src = ZfsFusePool.create("bmigsrc", 256);
        dst = ZfsFusePool.create("bmigdst", 256);
    }

    @AfterAll
    static void destroy() {
        if (src != null) {
            src.close();
        }
        if (dst != null) {
            dst.close();
        }
    }

    @BeforeEach
    void agents() {
        n++;
        source = src.name() + "/vol" + n;
        target = dst.name() + "/vol" + n;
        zfs("create", source);
        pins.pinPem("h1", h1.certificatePem());
        pins.pinPem("h2", h2.certificatePem());
        server = new SecureChannel(h2, pins).listen(LOOPBACK);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    /** h2 serves rounds on one connection until it breaks; what it received (or its error) comes back at the end. */
    private CompletableFuture<List<Object>> receiving() {
        SnapshotReceiver receiver = new SnapshotReceiver(streams, dst.name(), Duration.ofSeconds(30));
        return CompletableFuture.supplyAsync(() -> {
            List<Object> seen = new ArrayList<>();
            try (PeerConnection c = server.accept()) {
                assertEquals("h1", c.peerHostId());
                while (true) {
                    try {
                        seen.add(receiver.receive(c, Progress.NONE));
                    } catch (MigrationException e) {
                        seen.add(e);
                        if (e.kind() == Kind.UNAVAILABLE) {
                            return seen; // the connection is gone (after a cut: at the next header)
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

    private Path write(String name, int bytes, long seed) throws IOException {
        byte[] data = new byte[bytes];
        new Random(seed).nextBytes(data);
        Path file = src.mounted(source).resolve(name);
        Files.write(file, data, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE, StandardOpenOption.SYNC);
        return file;
    }

    private void assertSameFiles(String... names) throws IOException {
        for (String f : names) {
            assertArrayEquals(Files.readAllBytes(src.mounted(source).resolve(f)),
                    Files.readAllBytes(dst.mounted(target).resolve(f)), f);
        }
    }

    @Test
    void fullThenIncremental_overTls_endWithTheSameGuidsAndFiles() throws Exception {
        var receiver = receiving();
        SnapshotSender sender = new SnapshotSender(streams);
        List<Long> progress = new ArrayList<>();
        List<RoundPolicy.Round> rounds = new ArrayList<>();
        try (PeerConnection c = connect()) {
            write("a", 3 << 20, 1);
            zfs("snapshot", source + "@m1");
            RoundResult full = sender.send(c, RoundRequest.full("vol", source + "@m1", target), progress::add);
            rounds.add(new RoundPolicy.Round(full.bytes(), full.took(), true));
            assertFalse(full.incremental());
            assertEquals(streams.guid(source + "@m1"), full.guid());
            assertEquals(full.bytes(), progress.get(progress.size() - 1));
            for (int i = 1; i < progress.size(); i++) {
                assertTrue(progress.get(i) > progress.get(i - 1));
            }

            write("b", 1 << 20, 2);
            write("a", 64 << 10, 3); // an overwrite, too
            zfs("snapshot", source + "@m2");
            RoundResult inc = sender.send(c, new RoundRequest("vol", source + "@m2", "@m1", target,
                    streams.estimateBytes(source + "@m2", source + "@m1")), Progress.NONE);
            rounds.add(new RoundPolicy.Round(inc.bytes(), inc.took(), false));
            assertTrue(inc.incremental());
            assertTrue(inc.bytes() < full.bytes());
            assertEquals(inc.header().bytes(), inc.bytes(), "zfs-fuse's incremental estimate is a counted send");
        }
        List<Object> seen = receiver.get(30, TimeUnit.SECONDS);
        RoundResult got1 = assertInstanceOf(RoundResult.class, seen.get(0));
        RoundResult got2 = assertInstanceOf(RoundResult.class, seen.get(1));
        assertEquals("h1", got1.peer());
        assertEquals(streams.guid(source + "@m1"), streams.guid(target + "@m1"));
        assertEquals(streams.guid(source + "@m2"), streams.guid(target + "@m2"));
        assertEquals(got2.guid(), streams.guid(target + "@m2"));
        assertEquals(rounds.get(1).bytes(), got2.bytes(), "both sides counted the same stream bytes");
        assertSameFiles("a", "b");
        // 1 MiB deltas are below the 8 MiB threshold: the policy stops after this incremental
        assertTrue(RoundPolicy.standard().next(rounds).stop());
    }

    @Test
    @SuppressWarnings("try") // the link is cut from inside the try, on purpose
    void streamCutHalfWay_leavesTheTargetAtItsLastSnapshot_andARetryFromTheLastCommonSnapshotSucceeds()
            throws Exception {
        SnapshotSender sender = new SnapshotSender(streams);
        var receiver = receiving();
        try (PeerConnection c = connect()) {
            write("a", 1 << 20, 4);
            zfs("snapshot", source + "@m1");
            sender.send(c, RoundRequest.full("vol", source + "@m1", target), Progress.NONE);
        }
        receiver.get(30, TimeUnit.SECONDS);

        write("big", 12 << 20, 5);
        zfs("snapshot", source + "@m2");
        long estimate = streams.estimateBytes(source + "@m2", source + "@m1");
        receiver = receiving();
        AtomicLong cutAt = new AtomicLong();
        try (PeerConnection c = connect()) {
            var e = assertThrows(MigrationException.class, () -> sender.send(c,
                    RoundRequest.incremental("vol", "@m1", source + "@m2", target), soFar -> {
                        if (soFar > estimate / 2 && cutAt.get() == 0) {
                            cutAt.set(soFar);
                            c.close(); // the link dies half way
                        }
                    }));
            assertEquals(Kind.TRUNCATED, e.kind(), e.getMessage());
        }
        List<Object> seen = receiver.get(60, TimeUnit.SECONDS);
        // the cut round, then the next header that never comes
        assertEquals(2, seen.size(), seen.toString());
        MigrationException onReceiver = assertInstanceOf(MigrationException.class, seen.get(0));
        assertEquals(Kind.TRUNCATED, onReceiver.kind(), onReceiver.getMessage());
        assertEquals(Kind.UNAVAILABLE, ((MigrationException) seen.get(1)).kind());
        assertTrue(cutAt.get() > 0 && cutAt.get() < estimate);
        assertEquals(List.of("m1"), streams.snapshots(target).stream().map(SnapshotId::shortName).toList());

        SnapshotId common = SnapshotStreams.lastCommonSnapshot(streams.snapshots(source), streams.snapshots(target))
                .orElseThrow();
        assertEquals(source + "@m1", common.name());
        receiver = receiving();
        try (PeerConnection c = connect()) {
            RoundResult retried = sender.send(c, RoundRequest.incremental("vol", common.name(), source + "@m2",
                    target), Progress.NONE);
            assertEquals(estimate, retried.bytes());
        }
        receiver.get(60, TimeUnit.SECONDS);
        assertEquals(streams.guid(source + "@m2"), streams.guid(target + "@m2"));
        assertSameFiles("a", "big");
    }

    @Test
    void roundsTheReceiverCannotTake_areRefusedBeforeStreaming_andTheConnectionStaysUsable() throws Exception {
        SnapshotSender sender = new SnapshotSender(streams);
        var receiver = receiving();
        try (PeerConnection c = connect()) {
            write("a", 256 << 10, 6);
            zfs("snapshot", source + "@m1");
            zfs("snapshot", source + "@m2");
            zfs("snapshot", source + "@m3");
            // incremental onto a dataset that does not exist there
            var e1 = assertThrows(MigrationException.class, () -> sender.send(c,
                    RoundRequest.incremental("vol", "@m1", source + "@m2", target), Progress.NONE));
            assertEquals(Kind.CONFLICT, e1.kind(), e1.getMessage());
            // a dataset outside the receiver's parent
            var e2 = assertThrows(MigrationException.class, () -> sender.send(c,
                    RoundRequest.full("vol", source + "@m1", src.name() + "/stolen"), Progress.NONE));
            assertEquals(Kind.BAD_REQUEST, e2.kind(), e2.getMessage());
            sender.send(c, RoundRequest.full("vol", source + "@m1", target), Progress.NONE);
            // a second full stream onto it
            var e3 = assertThrows(MigrationException.class, () -> sender.send(c,
                    RoundRequest.full("vol", source + "@m2", target), Progress.NONE));
            assertEquals(Kind.CONFLICT, e3.kind());
            // an incremental from a base the target lacks (m2 never sent)
            var e4 = assertThrows(MigrationException.class, () -> sender.send(c,
                    RoundRequest.incremental("vol", "@m2", source + "@m3", target), Progress.NONE));
            assertEquals(Kind.CONFLICT, e4.kind());
            assertTrue(e4.getMessage().contains("does not hold @m2"), e4.getMessage());
            // a snapshot missing here: refused before anything is said
            var e5 = assertThrows(MigrationException.class, () -> sender.send(c,
                    RoundRequest.incremental("vol", "@m1", source + "@nope", target), Progress.NONE));
            assertEquals(Kind.NOT_FOUND, e5.kind());
            sender.send(c, RoundRequest.incremental("vol", "@m1", source + "@m3", target), Progress.NONE);
            // the receiver admits this round, then the sender's own zfs send fails (the base is of another dataset):
            // the sender aborts the stream, the receiver is told and keeps its snapshots
            String other = src.name() + "/other" + n;
            zfs("create", other);
            zfs("snapshot", other + "@x");
            var e6 = assertThrows(MigrationException.class, () -> sender.send(c,
                    new RoundRequest("vol", other + "@x", source + "@m3", target, null), Progress.NONE));
            assertEquals(Kind.BAD_REQUEST, e6.kind(), e6.getMessage()); // zfs-fuse: exit 2, same filesystem only
            zfs("snapshot", source + "@m4");
            sender.send(c, RoundRequest.incremental("vol", "@m3", source + "@m4", target), Progress.NONE);
        }
        List<Object> seen = receiver.get(30, TimeUnit.SECONDS);
        assertEquals(List.of("m1", "m3", "m4"), streams.snapshots(target).stream().map(SnapshotId::shortName)
                .toList());
        assertEquals(streams.guid(source + "@m4"), streams.guid(target + "@m4"));
        MigrationException aborted = (MigrationException) seen.stream()
                .filter(o -> o instanceof MigrationException m && m.getMessage().contains("aborted"))
                .findFirst().orElseThrow(() -> new AssertionError(seen.toString()));
        assertEquals(Kind.TRUNCATED, aborted.kind());
        assertTrue(aborted.getMessage().contains("same filesystem") || aborted.getMessage().contains("earlier"),
                aborted.getMessage());
    }

    @Test
    void anUnpinnedSender_neverReachesTheReceiver() {
        var receiver = receiving();
        AgentIdentity stranger = AgentIdentity.generate("h1"); // claims h1, other key
        var e = assertThrows(MigrationException.class, () -> new SecureChannel(stranger, pins).connect(
                new InetSocketAddress(InetAddress.getLoopbackAddress(), server.port()), "h2"));
        assertEquals(Kind.UNTRUSTED, e.kind());
        var refused = assertThrows(ExecutionException.class, () -> receiver.get(30, TimeUnit.SECONDS));
        assertEquals(Kind.UNTRUSTED, ((MigrationException) refused.getCause()).kind());
        assertEquals(List.of(), streams.snapshots(target));
    }
}
