package dev.berth.zfs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What every {@link Zfs} must do, run against the fake (unit) and against real zfs-fuse (integration). */
abstract class ZfsContract {
    /** The implementation under test. */
    abstract Zfs zfs();

    /** An empty dataset this test may fill, fresh for each test. */
    abstract String root();

    /** Pauses between snapshots when the implementation's clock has one-second resolution. */
    void tick() {
    }

    @Test
    void create_thenExists_andGetReadsExactNumbers() {
        String d = root() + "/a";
        assertFalse(zfs().exists(d));
        zfs().create(d, Map.of("refquota", "104857600", "berth:managed", "yes"), false);
        assertTrue(zfs().exists(d));
        Map<String, String> v = zfs().get(d, List.of("refquota", "berth:managed", "berth:absent"));
        assertEquals("104857600", v.get("refquota"));
        assertEquals("yes", v.get("berth:managed"));
        assertEquals("-", v.get("berth:absent"));
    }

    @Test
    void create_twice_isExists_andMissingParentIsNotFound() {
        zfs().create(root() + "/a", Map.of(), false);
        ZfsException twice = assertThrows(ZfsException.class, () -> zfs().create(root() + "/a", Map.of(), false));
        assertEquals(ZfsException.Kind.EXISTS, twice.kind());
        ZfsException orphan = assertThrows(ZfsException.class, () -> zfs().create(root() + "/x/y", Map.of(), false));
        assertEquals(ZfsException.Kind.NOT_FOUND, orphan.kind());
        zfs().create(root() + "/x/y", Map.of(), true);
        assertTrue(zfs().exists(root() + "/x"));
    }

    @Test
    void get_ofAMissingDataset_isNotFound() {
        ZfsException e = assertThrows(ZfsException.class, () -> zfs().get(root() + "/nope", List.of("used")));
        assertEquals(ZfsException.Kind.NOT_FOUND, e.kind());
    }

    @Test
    void localUserProperties_excludeInheritedOnes_andInheritRemovesOne() {
        zfs().set(root(), "berth:fromparent", "1");
        zfs().create(root() + "/a", Map.of("berth:own", "x"), false);
        zfs().set(root() + "/a", "berth:mount:abc", "2");
        assertEquals(Map.of("berth:own", "x", "berth:mount:abc", "2"), zfs().localUserProperties(root() + "/a"));
        assertEquals("1", zfs().get(root() + "/a", List.of("berth:fromparent")).get("berth:fromparent"));
        zfs().inherit(root() + "/a", "berth:mount:abc");
        assertEquals(Map.of("berth:own", "x"), zfs().localUserProperties(root() + "/a"));
        zfs().inherit(root(), "berth:fromparent");
    }

    @Test
    void children_listsOnlyDirectFileSystems_withUserPropertyColumns() {
        zfs().create(root() + "/a", Map.of("berth:managed", "yes"), false);
        zfs().create(root() + "/b", Map.of(), false);
        zfs().create(root() + "/b/deep", Map.of(), false);
        zfs().snapshot(root() + "/a@s1", Map.of());
        List<Map<String, String>> rows = zfs().children(root(), List.of("berth:managed"));
        assertEquals(List.of(root() + "/a", root() + "/b"), rows.stream().map(r -> r.get("name")).toList());
        assertEquals("yes", rows.get(0).get("berth:managed"));
        assertEquals("-", rows.get(1).get("berth:managed"));
    }

    @Test
    void snapshots_comeInCreationOrder_andRollbackDestroysLaterOnes() {
        String d = root() + "/a";
        zfs().create(d, Map.of(), false);
        zfs().snapshot(d + "@one", Map.of());
        tick();
        zfs().snapshot(d + "@two", Map.of());
        tick();
        zfs().snapshot(d + "@three", Map.of());
        List<Zfs.Snapshot> snaps = zfs().snapshots(d);
        assertEquals(List.of("one", "two", "three"), snaps.stream().map(Zfs.Snapshot::shortName).toList());
        assertTrue(snaps.get(0).creation() > 1_000_000_000L, "creation is in epoch seconds: " + snaps.get(0));
        ZfsException dup = assertThrows(ZfsException.class, () -> zfs().snapshot(d + "@two", Map.of()));
        assertEquals(ZfsException.Kind.EXISTS, dup.kind());
        zfs().rollback(d + "@one");
        assertEquals(List.of("one"), zfs().snapshots(d).stream().map(Zfs.Snapshot::shortName).toList());
    }

    @Test
    void clone_pinsItsOrigin_untilTheCloneIsGone() {
        String d = root() + "/a";
        zfs().create(d, Map.of(), false);
        zfs().snapshot(d + "@s", Map.of());
        zfs().clone(d + "@s", root() + "/c", Map.of("berth:managed", "yes"));
        assertEquals(d + "@s", zfs().get(root() + "/c", List.of("origin")).get("origin"));
        ZfsException pinned = assertThrows(ZfsException.class, () -> zfs().destroy(d, true));
        assertEquals(ZfsException.Kind.DEPENDENT, pinned.kind());
        zfs().destroy(root() + "/c", true);
        zfs().destroy(d, true);
        assertFalse(zfs().exists(d));
    }

    @Test
    void destroy_ofADatasetWithSnapshots_needsRecursive_andAMissingOneIsNotFound() {
        String d = root() + "/a";
        zfs().create(d, Map.of(), false);
        zfs().snapshot(d + "@s", Map.of());
        ZfsException e = assertThrows(ZfsException.class, () -> zfs().destroy(d, false));
        assertEquals(ZfsException.Kind.DEPENDENT, e.kind());
        zfs().destroy(d + "@s", false);
        zfs().destroy(d, false);
        ZfsException gone = assertThrows(ZfsException.class, () -> zfs().destroy(d, false));
        assertEquals(ZfsException.Kind.NOT_FOUND, gone.kind());
    }

    @Test
    void mountAndUnmount_areIdempotent_andShowInMounted() {
        String d = root() + "/a";
        zfs().create(d, Map.of("canmount", "noauto"), false);
        assertEquals("no", zfs().get(d, List.of("mounted")).get("mounted"));
        zfs().mount(d);
        zfs().mount(d);
        assertEquals("yes", zfs().get(d, List.of("mounted")).get("mounted"));
        assertTrue(zfs().get(d, List.of("mountpoint")).get("mountpoint").endsWith("/a"));
        zfs().unmount(d);
        zfs().unmount(d);
        assertEquals("no", zfs().get(d, List.of("mounted")).get("mounted"));
    }

    @Test
    void anInvalidPropertyValue_isInvalid() {
        ZfsException e = assertThrows(ZfsException.class,
                () -> zfs().create(root() + "/a", Map.of("compression", "nonsense"), false));
        assertEquals(ZfsException.Kind.INVALID, e.kind());
        assertFalse(zfs().exists(root() + "/a"));
    }
}
