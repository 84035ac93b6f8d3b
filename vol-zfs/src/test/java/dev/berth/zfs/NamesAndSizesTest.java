package dev.berth.zfs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.berth.host.error.BadRequestException;
import java.time.Duration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@Tag("unit")
class NamesAndSizesTest {
    @ParameterizedTest
    @ValueSource(strings = {"web", "db_1", "a.b-c", "X9"})
    void dockerNames_areAccepted(String name) {
        assertEquals(name, Names.volume(name));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "a", "a/b", "..", "a..b", "-x", ".x", "a@b", "a b", "tank%x", "ü1"})
    void otherNames_areRefused(String name) {
        assertThrows(BadRequestException.class, () -> Names.volume(name));
    }

    @Test
    void aVeryLongName_isRefused() {
        assertThrows(BadRequestException.class, () -> Names.volume("a".repeat(129)));
        assertEquals(128, Names.volume("a".repeat(128)).length());
    }

    @Test
    void sizes_useBinaryUnits() {
        assertEquals(512, Sizes.bytes("512"));
        assertEquals(100L << 20, Sizes.bytes("100M"));
        assertEquals(100L << 20, Sizes.bytes("100MiB"));
        assertEquals(3L << 29, Sizes.bytes("1.5g"));
        assertEquals(1L << 40, Sizes.bytes("1T"));
        assertThrows(IllegalArgumentException.class, () -> Sizes.bytes("-1"));
        assertThrows(IllegalArgumentException.class, () -> Sizes.bytes("99999999P"));
    }

    @Test
    void durations_parseAndFormat() {
        assertEquals(Duration.ofHours(1), Sizes.duration("1h"));
        assertEquals(Duration.ofDays(14), Sizes.duration("2w"));
        assertEquals("90m", Sizes.format(Duration.ofMinutes(90)));
        assertEquals("1d", Sizes.format(Duration.ofHours(24)));
        assertThrows(IllegalArgumentException.class, () -> Sizes.duration("soon"));
    }

    @Test
    void mountIds_outsideZfsPropertyCharacters_areHexEncoded_andReadBack() {
        String clean = "0123abcdef";
        assertEquals("berth:mount:0123abcdef", MountCounts.property(clean));
        String odd = "Container/ID";
        String prop = MountCounts.property(odd);
        assertEquals("berth:mountx:436f6e7461696e65722f4944", prop);
        assertEquals(java.util.Set.of(odd), MountCounts.read(java.util.Map.of(prop, "2:5")).keySet());
        assertEquals(2, MountCounts.read(java.util.Map.of(prop, "2:5")).get(odd).count());
    }
}
