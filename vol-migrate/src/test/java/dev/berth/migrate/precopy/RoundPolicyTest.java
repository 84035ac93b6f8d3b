package dev.berth.migrate.precopy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.migrate.MigrationException;
import dev.berth.migrate.precopy.RoundPolicy.Action;
import dev.berth.migrate.precopy.RoundPolicy.Config;
import dev.berth.migrate.precopy.RoundPolicy.Round;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("unit")
class RoundPolicyTest {
    private static final long MIB = 1L << 20;
    private final RoundPolicy policy = RoundPolicy.standard();

    private static Round full(long mib, long millis) {
        return new Round(mib * MIB, Duration.ofMillis(millis), true);
    }

    private static Round inc(long mib, long millis) {
        return new Round(mib * MIB, Duration.ofMillis(millis), false);
    }

    @Test
    void afterTheFullRound_alwaysOneIncremental_evenWhenTheVolumeIsTiny() {
        assertEquals(Action.INCREMENTAL, policy.next(List.of(full(1, 10))).action());
    }

    @Test
    void smallLastDelta_stops() {
        var d = policy.next(List.of(full(1000, 10_000), inc(8, 80)));
        assertTrue(d.stop(), d.reason());
        assertTrue(d.reason().contains("at most"), d.reason());
    }

    @Test
    void deltaWithinDowntimeBudgetAtMeasuredRate_stops() {
        // 1000 MiB in 10 s over both rounds = 100 MiB/s: 40 MiB takes 0.4 s <= 0.5 s
        var d = policy.next(List.of(full(960, 9_600), inc(40, 400)));
        assertTrue(d.stop(), d.reason());
        assertEquals(400, d.predictedTransfer().toMillis(), 5);
    }

    @Test
    void shrinkingDeltaAboveBudget_sendsAnotherIncremental() {
        // 1000 MiB in 10 s: 200 MiB would take 2 s; shrank from 800
        var d = policy.next(List.of(full(800, 6_000), inc(200, 4_000)));
        assertEquals(Action.INCREMENTAL, d.action(), d.reason());
        assertEquals(Duration.ofSeconds(2).toMillis(), d.predictedTransfer().toMillis(), 50);
    }

    @Test
    void deltaThatShrankLessThanTenPercent_stopsBecauseWritesOutpaceTheLink() {
        var d = policy.next(List.of(full(1000, 10_000), inc(300, 3_000), inc(280, 2_800)));
        assertTrue(d.stop(), d.reason());
        assertTrue(d.reason().contains("outpace"), d.reason());
    }

    @Test
    void deltaThatShrankExactlyTenPercent_continues() {
        var d = policy.next(List.of(full(1000, 10_000), inc(300, 3_000), inc(270, 2_700)));
        assertEquals(Action.INCREMENTAL, d.action(), d.reason());
    }

    @Test
    void growingDelta_stops() {
        assertTrue(policy.next(List.of(full(1000, 10_000), inc(300, 3_000), inc(400, 4_000))).stop());
    }

    @Test
    void maxRounds_stopsEvenWhileShrinking() {
        List<Round> rounds = new ArrayList<>(List.of(full(10_000, 100_000)));
        long size = 5_000;
        while (rounds.size() < 8) {
            rounds.add(inc(size, size * 10));
            size /= 2;
        }
        var d = policy.next(rounds);
        assertTrue(d.stop(), d.reason());
        assertTrue(d.reason().contains("8 rounds"), d.reason());
        assertEquals(Action.INCREMENTAL, policy.next(rounds.subList(0, 7)).action());
    }

    @Test
    void roundsThatTookNoTime_predictNoDowntime() {
        var d = policy.next(List.of(full(100, 0), inc(50, 0)));
        assertTrue(d.stop());
        assertEquals(Duration.ZERO, d.predictedTransfer());
    }

    @Test
    void minIncrementalRounds_canBeZeroOrMore() {
        var none = new RoundPolicy(Config.defaults().withMinIncrementalRounds(0));
        assertTrue(none.next(List.of(full(1, 10))).stop());
        var two = new RoundPolicy(Config.defaults().withMinIncrementalRounds(2));
        assertEquals(Action.INCREMENTAL, two.next(List.of(full(1000, 10_000), inc(1, 10))).action());
        assertTrue(two.next(List.of(full(1000, 10_000), inc(1, 10), inc(1, 10))).stop());
    }

    @Test
    void noRoundsOrAMisplacedFullRound_isABadRequest() {
        var e = assertThrows(MigrationException.class, () -> policy.next(List.of()));
        assertEquals(MigrationException.Kind.BAD_REQUEST, e.kind());
        assertThrows(MigrationException.class, () -> policy.next(List.of(inc(1, 1))));
        assertThrows(MigrationException.class, () -> policy.next(List.of(full(1, 1), full(1, 1))));
        assertThrows(MigrationException.class, () -> new Round(-1, Duration.ZERO, true));
    }

    @Test
    void config_defaultsAndValidation() {
        Config c = Config.defaults();
        assertEquals(Duration.ofMillis(500), c.downtimeBudget());
        assertEquals(8 * MIB, c.smallDeltaBytes());
        assertEquals(0.10, c.minShrink());
        assertEquals(8, c.maxRounds());
        assertEquals(1, c.minIncrementalRounds());
        var e = assertThrows(MigrationException.class,
                () -> new Config(Duration.ZERO, -1, 1.0, 1, 5));
        for (String field : List.of("downtimeBudget", "smallDeltaBytes", "minShrink", "maxRounds",
                "minIncrementalRounds")) {
            assertTrue(e.getMessage().contains(field), e.getMessage());
        }
        assertThrows(MigrationException.class, () -> c.withMinShrink(Double.NaN));
        assertThrows(MigrationException.class, () -> c.withMaxRounds(3).withMinIncrementalRounds(3));
    }
}
