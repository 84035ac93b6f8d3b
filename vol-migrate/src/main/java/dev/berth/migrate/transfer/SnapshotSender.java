package dev.berth.migrate.transfer;

import dev.berth.migrate.MigrationException;
import dev.berth.migrate.MigrationException.Kind;
import dev.berth.migrate.tls.PeerConnection;
import dev.berth.migrate.zfs.SnapshotStreams;
import java.io.IOException;
import java.time.Duration;
import java.util.Objects;

/**
 * The sending side of one round over an authenticated connection:
 * <ol>
 *   <li>header ({@link RoundHeader}, JSON frame) &rarr; the receiver checks it can take the stream and answers
 *       {@link Reply#ready()} or why not (nothing is streamed for a round it would refuse);</li>
 *   <li>the raw {@code zfs send} stream in chunks ({@link ChunkedOutputStream}), ended by the end marker, or by an
 *       abort marker when this side's zfs failed;</li>
 *   <li>the receiver's acknowledgement: the GUID of the snapshot it now holds, which must equal ours.</li>
 * </ol>
 * One connection can carry several rounds one after the other, never two at once.
 *
 * <p>Waiting for an answer is bounded by {@code replyTimeout}; writing the stream is not (a socket has no write
 * timeout): a receiver that stops reading is ended by closing the connection from elsewhere (a watchdog), which makes
 * this round fail as TRUNCATED.
 */
public final class SnapshotSender {
    private final SnapshotStreams streams;
    private final Duration replyTimeout;

    /** @param replyTimeout how long to wait for each answer (the last one comes once the receiver's zfs committed) */
    public SnapshotSender(SnapshotStreams streams, Duration replyTimeout) {
        this.streams = Objects.requireNonNull(streams, "streams");
        this.replyTimeout = Objects.requireNonNull(replyTimeout, "replyTimeout");
    }

    /** With a 10 min reply timeout. */
    public SnapshotSender(SnapshotStreams streams) {
        this(streams, Duration.ofMinutes(10));
    }

    /**
     * Sends one round and returns once the receiver acknowledged the same snapshot GUID.
     *
     * @throws MigrationException with the receiver's kind when it refused (CONFLICT: it does not hold the base, or
     *                            already holds the snapshot); TRUNCATED when the connection broke mid-stream (the
     *                            receiver then stays at its last complete snapshot); PROTOCOL on a GUID mismatch
     */
    public RoundResult send(PeerConnection peer, RoundRequest request, Progress progress) {
        long started = System.nanoTime();
        String snapshot = request.snapshot();
        String from = request.fullFrom();
        long guid = streams.guid(snapshot);
        Long fromGuid = from == null ? null : streams.guid(from);
        RoundHeader header = RoundHeader.of(request.volume(), request.targetDataset(), shortName(snapshot),
                from == null ? null : shortName(from), guid, fromGuid, request.estimatedBytes()).validated();
        peer.readTimeout(replyTimeout);
        Reply ready = exchange(peer, header);
        if (!ready.ok()) {
            throw ready.toException(peer.peerHostId());
        }
        ChunkedOutputStream chunks = new ChunkedOutputStream(peer.output());
        Counting.Out counted = new Counting.Out(chunks, progress);
        try {
            streams.send(snapshot, from, counted);
        } catch (MigrationException e) {
            if (e.kind() != Kind.TRUNCATED) {
                abort(peer, chunks, e);
            }
            throw e;
        }
        Reply ack;
        try {
            chunks.finish();
            ack = Frames.read(peer.input(), Reply.class);
        } catch (IOException e) {
            throw new MigrationException(Kind.TRUNCATED, "round " + snapshot + " to " + peer.peerHostId()
                    + ": connection lost before the acknowledgement (" + e.getMessage() + ")", e);
        }
        if (!ack.ok()) {
            throw ack.toException(peer.peerHostId());
        }
        if (ack.guid() == null || !ack.guid().equals(header.guid())) {
            throw new MigrationException(Kind.PROTOCOL, "receiver " + peer.peerHostId() + " holds GUID " + ack.guid()
                    + " for " + header.targetSnapshot() + ", this host " + header.guid() + " for " + snapshot);
        }
        return new RoundResult(peer.peerHostId(), header, guid, counted.count(),
                Duration.ofNanos(System.nanoTime() - started));
    }

    private static Reply exchange(PeerConnection peer, RoundHeader header) {
        try {
            Frames.write(peer.output(), header);
            return Frames.read(peer.input(), Reply.class);
        } catch (IOException e) {
            throw new MigrationException(Kind.UNAVAILABLE, "round header to " + peer.peerHostId() + ": "
                    + e.getMessage(), e);
        }
    }

    /** Tells the receiver our zfs failed, and waits for its (failure) answer so the connection stays usable. */
    private static void abort(PeerConnection peer, ChunkedOutputStream chunks, MigrationException cause) {
        try {
            chunks.abort(cause.getMessage());
            Frames.read(peer.input(), Reply.class);
        } catch (IOException | MigrationException ignored) {
            // the cause is what the caller needs; the connection is closed by them anyway
        }
    }

    private static String shortName(String snapshot) {
        return snapshot.substring(snapshot.indexOf('@') + 1);
    }

    /**
     * What to send.
     *
     * @param volume         the Docker volume name
     * @param snapshot       full snapshot name on this host, {@code tank/berth/web@m2}
     * @param from           the incremental base, {@code tank/berth/web@m1} or {@code @m1}; null for a full stream
     * @param targetDataset  the dataset on the receiving host
     * @param estimatedBytes told to the receiver (for its progress), or null
     */
    public record RoundRequest(String volume, String snapshot, String from, String targetDataset,
                               Long estimatedBytes) {
        public RoundRequest {
            Objects.requireNonNull(volume, "volume");
            Objects.requireNonNull(snapshot, "snapshot");
            Objects.requireNonNull(targetDataset, "targetDataset");
            if (snapshot.indexOf('@') < 1) {
                throw new MigrationException(Kind.BAD_REQUEST, "not a full snapshot name: " + snapshot);
            }
        }

        /** A full stream of {@code snapshot}. */
        public static RoundRequest full(String volume, String snapshot, String targetDataset) {
            return new RoundRequest(volume, snapshot, null, targetDataset, null);
        }

        /** An incremental from {@code from} to {@code snapshot}. */
        public static RoundRequest incremental(String volume, String from, String snapshot, String targetDataset) {
            return new RoundRequest(volume, snapshot, from, targetDataset, null);
        }

        /** The base as a full name ({@code @m1} completed with the snapshot's dataset). */
        String fullFrom() {
            if (from == null || !from.startsWith("@")) {
                return from;
            }
            return snapshot.substring(0, snapshot.indexOf('@')) + from;
        }
    }
}
