package dev.berth.migrate.precopy;

import dev.berth.migrate.MigrationException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Decides, after each pre-copy round, whether to send another incremental while the container keeps running or to
 * stop it and copy the last delta (stop-and-copy). Pure logic: it sees only the rounds' sizes and durations.
 *
 * <p>The rounds are the ones already sent, oldest first, and the first is the full send. The size of the latest
 * <em>incremental</em> round predicts the next delta (writes made while it was in flight); the full round says
 * nothing about the write rate, so at least {@link Config#minIncrementalRounds()} incrementals (default 1) are sent
 * before stopping is considered. Then, in this order:
 * <ol>
 *   <li>{@link Config#maxRounds()} rounds sent (the full one included): stop.</li>
 *   <li>the last delta is at most {@link Config#smallDeltaBytes()}: stop.</li>
 *   <li>the last delta would take at most {@link Config#downtimeBudget()} at the measured rate: stop. The rate is
 *       all bytes sent over all time spent, steadier than one round's.</li>
 *   <li>the last delta did not shrink by at least {@link Config#minShrink()} against the round before: writes
 *       outpace the link and more rounds would not help: stop.</li>
 *   <li>otherwise: another incremental round.</li>
 * </ol>
 */
public final class RoundPolicy {
    /** A prediction's bound when nothing moved (no measurable rate). */
    private static final Duration UNBOUNDED = Duration.ofDays(365);
    private final Config config;

    public RoundPolicy(Config config) {
        this.config = Objects.requireNonNull(config, "config");
    }

    /** The policy with {@link Config#defaults()}. */
    public static RoundPolicy standard() {
        return new RoundPolicy(Config.defaults());
    }

    public Config config() {
        return config;
    }

    /**
     * The next step after {@code rounds}.
     *
     * @param rounds the rounds sent so far, oldest first; the first must be the full send, the others incrementals
     * @throws MigrationException BAD_REQUEST when no round was sent yet or the first is not the full one
     */
    public Decision next(List<Round> rounds) {
        if (rounds.isEmpty()) {
            throw new MigrationException(MigrationException.Kind.BAD_REQUEST,
                    "no round sent yet: the first round is always a full send");
        }
        if (!rounds.get(0).full() || rounds.stream().skip(1).anyMatch(Round::full)) {
            throw new MigrationException(MigrationException.Kind.BAD_REQUEST,
                    "the first round must be the full send and only the first: " + rounds);
        }
        Round last = rounds.get(rounds.size() - 1);
        double rate = rate(rounds);
        Duration predicted = predict(last.bytes(), rate);
        int incrementals = rounds.size() - 1;
        if (rounds.size() >= config.maxRounds()) {
            return new Decision(Action.STOP_AND_COPY, "reached " + config.maxRounds() + " rounds", predicted);
        }
        if (incrementals < config.minIncrementalRounds()) {
            return new Decision(Action.INCREMENTAL, incrementals + " of at least " + config.minIncrementalRounds()
                    + " incremental round(s) sent", predicted);
        }
        if (last.bytes() <= config.smallDeltaBytes()) {
            return new Decision(Action.STOP_AND_COPY, "last delta " + last.bytes() + " B is at most "
                    + config.smallDeltaBytes() + " B", predicted);
        }
        if (predicted.compareTo(config.downtimeBudget()) <= 0) {
            return new Decision(Action.STOP_AND_COPY, "last delta would take " + predicted.toMillis()
                    + " ms, within the budget of " + config.downtimeBudget().toMillis() + " ms", predicted);
        }
        Round previous = rounds.get(rounds.size() - 2);
        if (last.bytes() > previous.bytes() * (1.0 - config.minShrink())) {
            return new Decision(Action.STOP_AND_COPY, "delta did not shrink by " + Math.round(config.minShrink() * 100)
                    + "% (" + previous.bytes() + " B -> " + last.bytes() + " B): writes outpace the link", predicted);
        }
        return new Decision(Action.INCREMENTAL, "delta shrank to " + last.bytes() + " B, would take "
                + predicted.toMillis() + " ms", predicted);
    }

    /** Bytes per second over all rounds; infinite when they took no measurable time. */
    static double rate(List<Round> rounds) {
        long bytes = 0;
        long nanos = 0;
        for (Round r : rounds) {
            bytes += r.bytes();
            nanos += r.took().toNanos();
        }
        return nanos == 0 ? Double.POSITIVE_INFINITY : bytes / (nanos / 1e9);
    }

    private static Duration predict(long bytes, double rate) {
        if (bytes == 0 || Double.isInfinite(rate)) {
            return Duration.ZERO;
        }
        if (rate <= 0) {
            return UNBOUNDED;
        }
        double seconds = bytes / rate;
        return seconds > UNBOUNDED.getSeconds() ? UNBOUNDED : Duration.ofNanos((long) (seconds * 1e9));
    }

    /**
     * One sent round.
     *
     * @param bytes stream bytes sent (as counted on the wire)
     * @param took  how long the round took, from the start of the send to the receiver's acknowledgement
     * @param full  whether it was the full send (the first round) rather than an incremental
     */
    public record Round(long bytes, Duration took, boolean full) {
        public Round {
            Objects.requireNonNull(took, "took");
            if (bytes < 0 || took.isNegative()) {
                throw new MigrationException(MigrationException.Kind.BAD_REQUEST,
                        "a round has no negative size or duration: " + bytes + " B, " + took);
            }
        }
    }

    /** What to do next. */
    public enum Action { INCREMENTAL, STOP_AND_COPY }

    /**
     * The decision, why, and how long the last delta would take to send at the measured rate (the expected downtime
     * if the next delta is like the last).
     */
    public record Decision(Action action, String reason, Duration predictedTransfer) {
        public boolean stop() {
            return action == Action.STOP_AND_COPY;
        }
    }

    /**
     * The policy's knobs. Example: {@code new Config(Duration.ofMillis(500), 8 << 20, 0.10, 8, 1)}, which is
     * {@link #defaults()}.
     *
     * @param downtimeBudget        stop when the last delta would take at most this at the measured rate (> 0)
     * @param smallDeltaBytes       stop when the last delta is at most this many bytes (>= 0)
     * @param minShrink             stop when a delta shrank by less than this fraction of the previous round, in [0, 1)
     * @param maxRounds             stop after this many rounds, the full one included (>= 2)
     * @param minIncrementalRounds  never stop before this many incrementals (>= 0, < maxRounds)
     */
    public record Config(Duration downtimeBudget, long smallDeltaBytes, double minShrink, int maxRounds,
                         int minIncrementalRounds) {
        public static final Duration DEFAULT_DOWNTIME_BUDGET = Duration.ofMillis(500);
        public static final long DEFAULT_SMALL_DELTA_BYTES = 8L << 20;
        public static final double DEFAULT_MIN_SHRINK = 0.10;
        public static final int DEFAULT_MAX_ROUNDS = 8;
        public static final int DEFAULT_MIN_INCREMENTAL_ROUNDS = 1;

        public Config {
            Objects.requireNonNull(downtimeBudget, "downtimeBudget");
            StringBuilder problems = new StringBuilder();
            if (downtimeBudget.isNegative() || downtimeBudget.isZero()) {
                problems.append("; downtimeBudget must be > 0, not ").append(downtimeBudget);
            }
            if (smallDeltaBytes < 0) {
                problems.append("; smallDeltaBytes must be >= 0, not ").append(smallDeltaBytes);
            }
            if (!(minShrink >= 0 && minShrink < 1)) {
                problems.append("; minShrink must be in [0, 1), not ").append(minShrink);
            }
            if (maxRounds < 2) {
                problems.append("; maxRounds must be >= 2 (a full and an incremental), not ").append(maxRounds);
            }
            if (minIncrementalRounds < 0 || minIncrementalRounds >= maxRounds) {
                problems.append("; minIncrementalRounds must be >= 0 and < maxRounds, not ")
                        .append(minIncrementalRounds);
            }
            if (!problems.isEmpty()) {
                throw new MigrationException(MigrationException.Kind.BAD_REQUEST,
                        "bad pre-copy config" + problems.substring(1).replaceFirst("^ ", ": "));
            }
        }

        /** 0.5 s downtime budget, 8 MiB small delta, 10% minimum shrink, 8 rounds at most, 1 incremental at least. */
        public static Config defaults() {
            return new Config(DEFAULT_DOWNTIME_BUDGET, DEFAULT_SMALL_DELTA_BYTES, DEFAULT_MIN_SHRINK,
                    DEFAULT_MAX_ROUNDS, DEFAULT_MIN_INCREMENTAL_ROUNDS);
        }

        public Config withDowntimeBudget(Duration value) {
            return new Config(value, smallDeltaBytes, minShrink, maxRounds, minIncrementalRounds);
        }

        public Config withSmallDeltaBytes(long value) {
            return new Config(downtimeBudget, value, minShrink, maxRounds, minIncrementalRounds);
        }

        public Config withMinShrink(double value) {
            return new Config(downtimeBudget, smallDeltaBytes, value, maxRounds, minIncrementalRounds);
        }

        public Config withMaxRounds(int value) {
            return new Config(downtimeBudget, smallDeltaBytes, minShrink, value, minIncrementalRounds);
        }

        public Config withMinIncrementalRounds(int value) {
            return new Config(downtimeBudget, smallDeltaBytes, minShrink, maxRounds, value);
        }
    }
}
