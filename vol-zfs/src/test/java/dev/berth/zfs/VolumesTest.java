package dev.berth.zfs;

import dev.berth.host.ManualClock;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.host.error.BadRequestException;
import dev.berth.host.error.ConflictException;
import dev.berth.host.error.NotFoundException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("unit")
class VolumesTest {
    private FakeZfs zfs;
    private ManualClock clock;
    private Volumes volumes;

    @BeforeEach
    void fresh() {
        zfs = new FakeZfs();
        zfs.pool("tank");
        clock = new ManualClock(Instant.parse("2026-11-24T08:00:00Z"));
        volumes = new Volumes(zfs, "tank/berth", clock, Duration.ofMillis(1));
        volumes.ensureParent();
    }

    @Test
    void create_makesAnUnmountedManagedDataset_withTheOptionsAsProperties() {
        volumes.create("web", CreateOptions.parse(Map.of("size", "100M", "snapshot-every", "1h"), zfs.flavor()));
        Map<String, String> p = zfs.get("tank/berth/web", List.of("refquota", "canmount", "mounted", "berth:managed",
                "berth:snapshot-every", "berth:keep"));
        assertEquals(Map.of("refquota", "104857600", "canmount", "noauto", "mounted", "no", "berth:managed", "1",
                "berth:snapshot-every", "3600", "berth:keep", "24"), p);
        assertEquals(List.of("web"), volumes.list().stream().map(VolumeInfo::name).toList());
    }

    @Test
    void create_again_changesNothing_butAForeignDatasetIsAConflict() {
        volumes.create("web", CreateOptions.none());
        volumes.create("web", CreateOptions.none());
        zfs.create("tank/berth/theirs", Map.of(), false);
        assertThrows(ConflictException.class, () -> volumes.create("theirs", CreateOptions.none()));
        assertEquals(List.of("web"), volumes.list().stream().map(VolumeInfo::name).toList(),
                "a dataset without berth:managed is never listed");
    }

    @Test
    void create_withAPropertyZfsRefuses_isABadRequest_andLeavesNothing() {
        CreateOptions bad = new CreateOptions(Map.of("compression", "nonsense"), null, null, null, null, null);
        assertThrows(BadRequestException.class, () -> volumes.create("web", bad));
        assertFalse(zfs.exists("tank/berth/web"));
    }

    @Test
    void mountCounts_perId_mountOnFirst_unmountOnLast() {
        volumes.create("web", CreateOptions.none());
        String where = volumes.mount("web", "c1");
        assertEquals("/fake/tank/berth/web", where);
        volumes.mount("web", "c1"); // docker cp reuses the ID
        volumes.mount("web", "c2");
        assertEquals(Map.of("c1", 2L, "c2", 1L), volumes.mounts("web"));
        volumes.unmount("web", "c1");
        volumes.unmount("web", "c2");
        assertTrue(volumes.info("web").mounted(), "c1 still holds one mount");
        volumes.unmount("web", "c1");
        assertEquals(Map.of(), volumes.mounts("web"));
        assertFalse(volumes.info("web").mounted());
    }

    @Test
    void counts_liveInZfs_soANewPluginProcessKeepsThem() {
        volumes.create("web", CreateOptions.none());
        volumes.mount("web", "c1");
        Volumes restarted = new Volumes(zfs, "tank/berth", clock, Duration.ofMillis(1));
        assertEquals(Map.of("c1", 1L), restarted.mounts("web"));
        assertThrows(ConflictException.class, () -> restarted.remove("web"));
        restarted.unmount("web", "c1");
        restarted.remove("web");
        assertFalse(zfs.exists("tank/berth/web"));
    }

    @Test
    void unmount_ofAnUnknownId_changesNoCount() {
        volumes.create("web", CreateOptions.none());
        volumes.mount("web", "c1");
        volumes.unmount("web", "never-mounted");
        assertEquals(Map.of("c1", 1L), volumes.mounts("web"));
        assertTrue(volumes.info("web").mounted());
    }

    @Test
    void twentyConcurrentMounts_thenUnmounts_leaveZero_andUnmountOnlyAtTheEnd() throws Exception {
        volumes.create("web", CreateOptions.none());
        ExecutorService pool = Executors.newFixedThreadPool(20);
        List<Future<String>> mounts = new java.util.ArrayList<>();
        for (int i = 0; i < 20; i++) {
            String id = "c" + i;
            mounts.add(pool.submit(() -> volumes.mount("web", id)));
        }
        for (Future<String> f : mounts) {
            assertEquals("/fake/tank/berth/web", f.get());
        }
        assertEquals(20, volumes.mounts("web").size());
        List<Future<Boolean>> unmounts = new java.util.ArrayList<>();
        for (int i = 0; i < 20; i++) {
            String id = "c" + i;
            unmounts.add(pool.submit(() -> {
                boolean mountedBefore = volumes.info("web").mounted();
                volumes.unmount("web", id);
                return mountedBefore;
            }));
        }
        for (Future<Boolean> f : unmounts) {
            assertTrue(f.get(), "the dataset was unmounted while others still held it");
        }
        pool.shutdown();
        assertEquals(Map.of(), volumes.mounts("web"));
        assertFalse(volumes.info("web").mounted());
    }

    @Test
    void remove_refusesAMountedVolume_withTheMountIds() {
        volumes.create("web", CreateOptions.none());
        volumes.mount("web", "0123456789abcdef0123");
        ConflictException e = assertThrows(ConflictException.class, () -> volumes.remove("web"));
        assertTrue(e.getMessage().contains("volume web is mounted (1 mount(s), IDs 0123456789ab)"), e.getMessage());
        assertTrue(zfs.exists("tank/berth/web"));
    }

    @Test
    void remove_retriesWhileTheDatasetIsBusy() {
        volumes.create("web", CreateOptions.none());
        zfs.busyFor(3);
        volumes.remove("web");
        assertFalse(zfs.exists("tank/berth/web"));
    }

    @Test
    void remove_givesUpOnAStubbornlyBusyDataset_withAConflict() {
        volumes.create("web", CreateOptions.none());
        zfs.busyFor(100);
        ConflictException e = assertThrows(ConflictException.class, () -> volumes.remove("web"));
        assertTrue(e.getMessage().contains("dataset is busy"), e.getMessage());
        zfs.busyFor(0);
    }

    @Test
    void remove_ofAMissingVolume_succeeds_butAForeignDatasetIsNeverDestroyed() {
        volumes.remove("never-was");
        zfs.create("tank/berth/theirs", Map.of(), false);
        assertThrows(ConflictException.class, () -> volumes.remove("theirs"));
        assertTrue(zfs.exists("tank/berth/theirs"));
    }

    @Test
    void mountOrGet_ofAMissingVolume_isNotFound() {
        assertThrows(NotFoundException.class, () -> volumes.mount("nope", "c1"));
        assertThrows(NotFoundException.class, () -> volumes.info("nope"));
        assertThrows(BadRequestException.class, () -> volumes.mount("../x", "c1"));
    }

    @Test
    void snapshots_cloneAndRollback() {
        volumes.create("web", CreateOptions.none());
        volumes.snapshots().take("web", "before");
        volumes.snapshots().take("web", "after");
        assertEquals(List.of("before", "after"),
                volumes.snapshots().list("web").stream().map(Zfs.Snapshot::shortName).toList());
        volumes.snapshots().cloneTo("web", "before", "web-copy", Map.of("size", "1G"));
        VolumeInfo copy = volumes.info("web-copy");
        assertEquals("web@before", copy.status().get("origin"));
        assertEquals("1073741824", copy.status().get("size"));
        ConflictException pinned = assertThrows(ConflictException.class, () -> volumes.snapshots().delete("web", "before"));
        assertTrue(pinned.getMessage().contains("web-copy from before"), pinned.getMessage());
        ConflictException removePinned = assertThrows(ConflictException.class, () -> volumes.remove("web"));
        assertTrue(removePinned.getMessage().contains("remove those volumes first"), removePinned.getMessage());
        volumes.snapshots().rollback("web", "before", false);
        assertEquals(List.of("before"), volumes.snapshots().list("web").stream().map(Zfs.Snapshot::shortName).toList());
        assertThrows(NotFoundException.class, () -> volumes.snapshots().rollback("web", "after", false));
    }

    @Test
    void rollback_ofAMountedVolume_needsForce() {
        volumes.create("web", CreateOptions.none());
        volumes.snapshots().take("web", "s1");
        volumes.mount("web", "c1");
        assertThrows(ConflictException.class, () -> volumes.snapshots().rollback("web", "s1", false));
        volumes.snapshots().rollback("web", "s1", true);
    }

    @Test
    void cloneFromAMissingSnapshot_isNotFound_andLeavesNothing() {
        volumes.create("web", CreateOptions.none());
        assertThrows(NotFoundException.class, () -> volumes.create("copy",
                CreateOptions.parse(Map.of("from-snapshot", "web@nope"), zfs.flavor())));
        assertFalse(zfs.exists("tank/berth/copy"));
    }

    @Test
    void reconcile_clearsOldMountsNoContainerHolds_keepsUsedAndFreshOnes() {
        volumes.create("used", CreateOptions.none());
        volumes.create("stale", CreateOptions.none());
        volumes.create("fresh", CreateOptions.none());
        volumes.mount("used", "a");
        volumes.mount("stale", "b");
        clock.advance(Duration.ofMinutes(5));
        volumes.mount("fresh", "c");
        int cleared = volumes.reconcile(Set.of("used"), Duration.ofSeconds(60));
        assertEquals(1, cleared);
        assertEquals(Map.of("a", 1L), volumes.mounts("used"));
        assertEquals(Map.of(), volumes.mounts("stale"));
        assertFalse(volumes.info("stale").mounted(), "a volume nobody holds is unmounted");
        assertEquals(Map.of("c", 1L), volumes.mounts("fresh"), "a mount younger than the grace is kept");
    }

    @Test
    void schedule_takesDueSnapshots_andKeepsTheNewestAutoOnes_neverManualOnes() {
        volumes.create("web", CreateOptions.parse(Map.of("snapshot-every", "1h", "keep", "2"), zfs.flavor()));
        volumes.create("plain", CreateOptions.none());
        volumes.snapshots().take("web", "manual");
        assertEquals(1, volumes.snapshots().runSchedules());
        assertEquals(0, volumes.snapshots().runSchedules(), "not due again yet");
        for (int i = 0; i < 3; i++) {
            clock.advance(Duration.ofHours(1));
            zfs.advanceSeconds(3600);
            assertEquals(1, volumes.snapshots().runSchedules());
        }
        List<String> names = volumes.snapshots().list("web").stream().map(Zfs.Snapshot::shortName).toList();
        assertEquals(List.of("manual", "auto-20261124T100000Z", "auto-20261124T110000Z"), names);
        assertEquals(List.of(), volumes.snapshots().list("plain"));
    }
}
