package dev.berth.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("unit")
class ApiVersionTest {
    private static Version server(String api, String min) {
        return new Version("x", api, min, "linux", "amd64");
    }

    @Test
    void versions_compareNumericallyNotAsText() {
        assertTrue(ApiVersion.parse("1.9").compareTo(ApiVersion.parse("1.41")) < 0);
        assertTrue(ApiVersion.parse("2.0").compareTo(ApiVersion.parse("1.99")) > 0);
        assertEquals("/v1.41", ApiVersion.parse(" 1.41 ").prefix());
        assertThrows(IllegalArgumentException.class, () -> ApiVersion.parse("v1.41"));
    }

    @Test
    void negotiate_takesTheOlderOfOursAndTheDaemons_butNeverBelowItsMinimum() {
        assertEquals("1.41", ApiVersion.negotiate(server("1.41", "1.12")).toString());
        assertEquals("1.40", ApiVersion.negotiate(server("1.40", "1.12")).toString());
        assertEquals("1.41", ApiVersion.negotiate(server("1.47", "1.24")).toString());
        assertEquals("1.44", ApiVersion.negotiate(server("1.52", "1.44")).toString());
        assertEquals("1.41", ApiVersion.negotiate(server("", "")).toString(), "unstated: ours");
        assertEquals("1.41", ApiVersion.negotiate(server("dev", null)).toString(), "unreadable: ours");
    }
}
