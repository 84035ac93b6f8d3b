package dev.berth.zfs;

import dev.berth.host.ManualClock;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("unit")
class BackgroundTest {
    private final FakeZfs zfs = new FakeZfs();
    private final ManualClock clock = new ManualClock(Instant.parse("2026-11-24T08:00:00Z"));
    private final Volumes volumes;

    BackgroundTest() {
        zfs.pool("tank");
        volumes = new Volumes(zfs, "tank/berth", clock, Duration.ofMillis(1));
        volumes.ensureParent();
        volumes.create("web", CreateOptions.none());
        volumes.mount("web", "lost-after-daemon-restart");
        clock.advance(Duration.ofMinutes(10));
    }

    @Test
    void withoutAnAnswerFromDocker_nothingIsCleared() {
        AtomicReference<Optional<Set<String>>> answer = new AtomicReference<>(Optional.empty());
        try (Background bg = background(answer)) {
            assertEquals(0, bg.reconcileOnce());
            assertEquals(1, volumes.mounts("web").size());
            answer.set(Optional.of(Set.of("web")));
            assertEquals(0, bg.reconcileOnce(), "a volume a running container uses keeps its counts");
            answer.set(Optional.of(Set.of()));
            assertEquals(1, bg.reconcileOnce());
            assertEquals(Map.of(), volumes.mounts("web"));
            assertFalse(volumes.info("web").mounted());
        }
    }

    @Test
    void driverNames_matchWithOrWithoutATag() {
        assertTrue(DockerMounts.ours("berth/zfs", "berth/zfs"));
        assertTrue(DockerMounts.ours("berth/zfs:latest", "berth/zfs"));
        assertFalse(DockerMounts.ours("berth/zfsx", "berth/zfs"));
        assertFalse(DockerMounts.ours("local", "berth/zfs"));
    }

    @Test
    void config_needsAParent_andReadsSeconds() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ZfsConfig.fromEnv(Map.of()));
        assertTrue(e.getMessage().contains("BERTH_ZFS_PARENT"));
        ZfsConfig c = ZfsConfig.fromEnv(Map.of("BERTH_ZFS_PARENT", "tank/berth", "BERTH_ZFS_RECONCILE_SECONDS", "5"));
        assertEquals(Duration.ofSeconds(5), c.reconcileEvery());
        assertEquals(Duration.ofSeconds(60), c.mountGrace());
        assertEquals("berth/zfs", c.driverName());
        assertThrows(IllegalArgumentException.class, () -> ZfsConfig.fromEnv(Map.of("BERTH_ZFS_PARENT", "t/b",
                "BERTH_ZFS_MOUNT_GRACE_SECONDS", "-1")));
        assertThrows(IllegalArgumentException.class, () -> new Volumes(zfs, "/tank", clock));
    }

    private Background background(AtomicReference<Optional<Set<String>>> answer) {
        DockerMounts docker = answer::get;
        return Background.start(volumes, docker, Duration.ZERO, Duration.ofSeconds(60), Duration.ZERO);
    }
}
