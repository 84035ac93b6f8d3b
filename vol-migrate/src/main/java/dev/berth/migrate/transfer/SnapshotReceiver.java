package dev.berth.migrate.transfer;

import dev.berth.migrate.MigrationException;
import dev.berth.migrate.MigrationException.Kind;
import dev.berth.migrate.tls.PeerConnection;
import dev.berth.migrate.zfs.SnapshotId;
import dev.berth.migrate.zfs.SnapshotStreams;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * The receiving side of one round (see {@link SnapshotSender} for the exchange). It receives only into datasets
 * directly or deeper below its {@code parent}, and checks before the stream starts that it can take it: a full
 * stream only into a dataset without snapshots, an incremental only onto the very base snapshot (same GUID).
 *
 * <p>An incremental is received with {@code -F}: the target is a replica not yet in use, and anything changed there
 * since its last snapshot (atime updates of a mount) would otherwise refuse the stream. When the stream is cut the
 * dataset stays at its last complete snapshot and the sender may retry from the last common snapshot.
 */
public final class SnapshotReceiver {
    private final SnapshotStreams streams;
    private final String parent;
    private final Duration idleTimeout;

    /**
     * @param parent      datasets are received only below this one ({@code tank/berth})
     * @param idleTimeout the longest wait for the next bytes from the sender
     */
    public SnapshotReceiver(SnapshotStreams streams, String parent, Duration idleTimeout) {
        this.streams = Objects.requireNonNull(streams, "streams");
        this.parent = Objects.requireNonNull(parent, "parent");
        this.idleTimeout = Objects.requireNonNull(idleTimeout, "idleTimeout");
    }

    /** With a 2 min idle timeout. */
    public SnapshotReceiver(SnapshotStreams streams, String parent) {
        this(streams, parent, Duration.ofMinutes(2));
    }

    /**
     * Serves one round on {@code peer}: reads the header, answers, receives the stream and acknowledges its GUID.
     * Failures are told to the sender (when the connection still works) and thrown here as well.
     */
    public RoundResult receive(PeerConnection peer, Progress progress) {
        long started = System.nanoTime();
        peer.readTimeout(idleTimeout);
        RoundHeader header;
        try {
            header = Frames.read(peer.input(), RoundHeader.class).validated();
            admit(header);
        } catch (IOException e) {
            throw new MigrationException(Kind.UNAVAILABLE, "reading a round header from " + peer.peerHostId() + ": "
                    + (e instanceof java.io.EOFException ? "the connection ended" : e.getMessage()), e);
        } catch (MigrationException e) {
            reply(peer, Reply.failed(e));
            throw e;
        }
        reply(peer, Reply.ready());
        ChunkedInputStream chunks = new ChunkedInputStream(peer.input());
        Counting.In counted = new Counting.In(chunks, progress);
        long guid;
        try {
            streams.receive(header.dataset(), counted, header.incremental());
            drain(chunks);
            guid = streams.guid(header.targetSnapshot());
            if (guid != header.guidValue()) {
                throw new MigrationException(Kind.PROTOCOL, "received " + header.targetSnapshot() + " has GUID "
                        + Long.toUnsignedString(guid) + ", the sender announced " + header.guid());
            }
        } catch (MigrationException e) {
            drain(chunks);
            reply(peer, Reply.failed(e));
            throw e;
        }
        reply(peer, Reply.received(guid, counted.count()));
        return new RoundResult(peer.peerHostId(), header, guid, counted.count(),
                Duration.ofNanos(System.nanoTime() - started));
    }

    /** Refuses a round that could not succeed, before any stream byte is sent. */
    private void admit(RoundHeader h) {
        if (!h.dataset().startsWith(parent + "/")) {
            throw new MigrationException(Kind.BAD_REQUEST, "dataset " + h.dataset() + " is not below " + parent);
        }
        List<SnapshotId> there = streams.snapshots(h.dataset());
        if (there.stream().anyMatch(s -> s.shortName().equals(h.snapshot()))) {
            throw new MigrationException(Kind.CONFLICT, h.targetSnapshot() + " already exists");
        }
        if (!h.incremental()) {
            if (!there.isEmpty()) {
                throw new MigrationException(Kind.CONFLICT, h.dataset() + " already holds snapshots (latest "
                        + there.get(there.size() - 1).name() + "): send an incremental from the last common one");
            }
            return;
        }
        boolean hasBase = there.stream().anyMatch(s -> s.shortName().equals(h.from())
                && Long.toUnsignedString(s.guid()).equals(h.fromGuid()));
        if (!hasBase) {
            throw new MigrationException(Kind.CONFLICT, h.dataset() + " does not hold @" + h.from() + " with GUID "
                    + h.fromGuid() + (there.isEmpty() ? " (no snapshots)" : " (latest: "
                    + there.get(there.size() - 1).name() + ")"));
        }
    }

    /** Reads the rest of a stream whose receive ended, so that the connection is in step for the answer. */
    private static void drain(ChunkedInputStream chunks) {
        if (chunks.complete()) {
            return;
        }
        try {
            chunks.transferTo(OutputStream.nullOutputStream());
        } catch (IOException ignored) {
            // cut or aborted: the answer below may not arrive, which the sender sees as a cut stream
        }
    }

    private static void reply(PeerConnection peer, Reply reply) {
        try {
            Frames.write(peer.output(), reply);
        } catch (IOException ignored) {
            // the sender went away; it treats the round as failed
        }
    }
}
