package dev.berth.docker;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;
import java.util.Map;

/**
 * One message of {@code GET /events} (Docker's {@code events.Message}): {@code Type} is {@code container},
 * {@code network}, {@code volume}, {@code plugin}, ...; {@code Action} is {@code start}, {@code die},
 * {@code destroy}, {@code connect}, ... (some carry a suffix: {@code exec_start: sh}, {@code health_status: healthy}).
 * For a network's {@code connect}/{@code disconnect}, {@code Actor.ID} is the network and
 * {@code Actor.Attributes["container"]} the container.
 *
 * @param time     seconds since the epoch
 * @param timeNano nanoseconds since the epoch: {@link #instant()} plus one nanosecond, as {@code since}, resumes
 *                 after this event
 */
public record Event(@JsonProperty("Type") String type,
                    @JsonProperty("Action") String action,
                    @JsonProperty("Actor") Actor actor,
                    @JsonProperty("time") long time,
                    @JsonProperty("timeNano") long timeNano) {
    public Event {
        type = Nulls.string(type);
        action = Nulls.string(action);
        actor = actor == null ? new Actor(null, null) : actor;
    }

    /** When it happened, to the nanosecond when Docker said so. */
    public Instant instant() {
        if (timeNano != 0) {
            return Instant.ofEpochSecond(Math.floorDiv(timeNano, 1_000_000_000L), Math.floorMod(timeNano, 1_000_000_000L));
        }
        return Instant.ofEpochSecond(time);
    }

    /** What the event is about: its ID and attributes (for a container: {@code name}, {@code image}, its labels, ...). */
    public record Actor(@JsonProperty("ID") String id,
                        @JsonProperty("Attributes") Map<String, String> attributes) {
        public Actor {
            id = Nulls.string(id);
            attributes = Nulls.map(attributes);
        }
    }
}
