package dev.berth.zfs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.host.error.BadRequestException;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("unit")
class CreateOptionsTest {
    @Test
    void size_isRefquotaInBytes_andReservationIsRefreservation() {
        CreateOptions o = CreateOptions.parse(Map.of("size", "100M", "reservation", "1.5G"), ZfsFlavor.ZFS_FUSE);
        assertEquals("104857600", o.zfsProperties().get("refquota"));
        assertEquals(Long.toString(3L << 29), o.zfsProperties().get("refreservation"));
    }

    @Test
    void everyOption_isUnderstood() {
        CreateOptions o = CreateOptions.parse(Map.of("compression", "gzip-6", "recordsize", "16K", "atime", "off",
                "from-snapshot", "web@daily", "uid", "1000", "gid", "100", "mode", "0750", "snapshot-every", "1h",
                "keep", "48"), ZfsFlavor.ZFS_FUSE);
        assertEquals(Map.of("compression", "gzip-6", "recordsize", "16384", "atime", "off"), o.zfsProperties());
        assertEquals("web", o.originVolume());
        assertEquals("daily", o.originSnapshot());
        assertEquals(1000, o.uid());
        assertEquals(100, o.gid());
        assertEquals(0750, o.mode());
        assertEquals(new SnapshotPolicy(Duration.ofHours(1), 48), o.policy());
    }

    @Test
    void unknownOptions_areListed_withTheValidOnes() {
        BadRequestException e = assertThrows(BadRequestException.class,
                () -> CreateOptions.parse(Map.of("quota", "1G", "colour", "red"), ZfsFlavor.ZFS_FUSE));
        assertTrue(e.getMessage().contains("unknown options colour, quota"), e.getMessage());
        assertTrue(e.getMessage().contains("valid options: size, reservation, compression, recordsize, atime, "
                + "from-snapshot, uid, gid, mode, snapshot-every, keep"), e.getMessage());
    }

    @Test
    void everyBadValue_isNamedInOneError() {
        BadRequestException e = assertThrows(BadRequestException.class, () -> CreateOptions.parse(Map.of(
                "size", "lots", "recordsize", "3000", "atime", "maybe", "mode", "999", "from-snapshot", "web",
                "snapshot-every", "10s"), ZfsFlavor.ZFS_FUSE));
        for (String part : new String[] {"size: 'lots' is not a size", "recordsize: '3000' must be a power of two",
            "atime: 'maybe' must be on or off", "mode: '999' must be octal", "from-snapshot: 'web' must be VOLUME@SNAPSHOT",
            "snapshot-every: '10s' is shorter than 1m"}) {
            assertTrue(e.getMessage().contains(part), part + " in " + e.getMessage());
        }
    }

    @Test
    void lz4_isRefusedOnZfsFuse_andAcceptedOnOpenZfs() {
        BadRequestException e = assertThrows(BadRequestException.class,
                () -> CreateOptions.parse(Map.of("compression", "lz4"), ZfsFlavor.ZFS_FUSE));
        assertTrue(e.getMessage().contains("not available on zfs-fuse 0.7"), e.getMessage());
        assertEquals("lz4", CreateOptions.parse(Map.of("compression", "lz4"), ZfsFlavor.OPENZFS)
                .zfsProperties().get("compression"));
    }

    @Test
    void keepWithoutSchedule_isRefused_andScheduleKeeps24ByDefault() {
        assertThrows(BadRequestException.class, () -> CreateOptions.parse(Map.of("keep", "3"), ZfsFlavor.ZFS_FUSE));
        assertEquals(24, CreateOptions.parse(Map.of("snapshot-every", "1d"), ZfsFlavor.ZFS_FUSE).policy().keep());
        assertNull(CreateOptions.parse(Map.of(), ZfsFlavor.ZFS_FUSE).policy());
    }

    @Test
    void anOriginWithABadName_isRefused() {
        assertThrows(BadRequestException.class,
                () -> CreateOptions.parse(Map.of("from-snapshot", "../etc@x"), ZfsFlavor.ZFS_FUSE));
        assertThrows(BadRequestException.class,
                () -> CreateOptions.parse(Map.of("from-snapshot", "web@-x"), ZfsFlavor.ZFS_FUSE));
    }
}
