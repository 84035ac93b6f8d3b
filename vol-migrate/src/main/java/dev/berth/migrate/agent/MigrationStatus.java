package dev.berth.migrate.agent;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * A migration as the agent's JSON API and the CLI show it ({@code GET /migrations/ID}).
 *
 * @param state      planned (dry run), copying, stopping, final, starting, done, failed, rolled-back, in-doubt
 * @param round      the pre-copy round under way (0 = the full send)
 * @param bytesSent  stream bytes sent so far, all rounds and volumes
 * @param roundBytes this round's bytes so far, and {@code roundEstimate} what it is expected to send
 * @param rate       bytes per second over the last round
 * @param etaSeconds the rest of this round at that rate
 * @param downtimeMs from the source's stop to the target's start (when done)
 * @param totalMs    from the request to the end
 * @param rounds     each round's bytes and milliseconds, as "bytes/ms"
 * @param plan       dry run: what would be done
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record MigrationStatus(String id, String container, String source, String target, String state,
                              Integer round, Long bytesSent, Long roundBytes, Long roundEstimate, Long rate,
                              Long etaSeconds, Long downtimeMs, Long totalMs, List<String> rounds, String message,
                              String error, List<String> plan) {
    public boolean finished() {
        return List.of("planned", "done", "failed", "rolled-back", "in-doubt").contains(state);
    }
}
