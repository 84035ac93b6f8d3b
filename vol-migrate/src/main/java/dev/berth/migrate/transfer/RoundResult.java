package dev.berth.migrate.transfer;

import java.time.Duration;

/**
 * One finished round, as either side saw it. Feeds {@code RoundPolicy.Round(bytes, took, !incremental)}.
 *
 * @param peer        the other side's host id
 * @param header      what was announced
 * @param guid        the GUID both sides now hold for the snapshot
 * @param bytes       stream bytes moved
 * @param took        from the header to the acknowledgement
 */
public record RoundResult(String peer, RoundHeader header, long guid, long bytes, Duration took) {
    public boolean incremental() {
        return header.incremental();
    }
}
