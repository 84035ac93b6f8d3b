package dev.berth.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("unit")
class CliTest {
    @Test
    void kvUrl_acceptsTheThreeStoresAndEmpty() {
        assertEquals(Optional.of("etcd://h1:2379,h2:2379/berth"), KvUrl.parse("etcd://h1:2379,h2:2379/berth"));
        assertEquals(Optional.of("consul://c:8500/berth"), KvUrl.parse("consul://c:8500/berth"));
        assertEquals(Optional.of("zk://z1:2181/b"), KvUrl.parse("zk://z1:2181/b"));
        assertEquals(Optional.empty(), KvUrl.parse(null));
    }

    @Test
    void kvUrl_refusesWhatItCannotUse() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> KvUrl.parse("redis://r:6379"))
                .getMessage().contains("use etcd://"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> KvUrl.parse("etcd://h1/berth"))
                .getMessage().contains("'h1' is not host:port"));
        assertThrows(IllegalArgumentException.class, () -> KvUrl.parse("etcd:///berth"));
    }

    @Test
    void badArguments_exitNonZeroBeforeTouchingAnything() {
        assertEquals(2, Berth.run("up", "--kv", "redis://r:6379", "--docker-host", "unix:///nonexistent.sock"));
        assertEquals(2, Berth.run("lab", "up", "--kv", "consul"));
        assertEquals(2, Berth.run("no-such-command"));
    }

    @Test
    void help_listsTheCommands() {
        assertEquals(0, Berth.run("--help"));
        assertEquals(0, Berth.run("lab", "--help"));
    }
}
