package dev.berth.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("unit")
class MountTableTest {
    private static final String INFO = String.join("\n",
            "27 1 254:0 / / rw,relatime shared:1 - ext4 /dev/vda rw",
            "43 42 0:4 net:[4026532178] /run/netns/berth-h1 rw shared:2 - nsfs nsfs rw",
            "50 27 254:0 /var/lib/berth-lab/h1/plugins /run/docker/plugins rw master:1 - ext4 /dev/vda rw",
            "51 27 0:50 / /var/lib/berth-lab/h1/docker/overlay2/abc/merged rw - overlay overlay rw,lowerdir=x",
            "52 27 0:51 / /run/berth-lab rw shared:9 - tmpfs tmpfs rw",
            "53 52 0:52 / /run/berth-lab/h1/exec/netns/with\\040space rw - nsfs nsfs rw",
            "54 52 0:53 / /run/berth-lab rw - tmpfs tmpfs rw",
            "55 27 0:54 / /var/lib/berth-lab2/x rw - tmpfs tmpfs rw",
            "");

    @Test
    void parse_readsIdsMountPointAndTypeAcrossOptionalFields() {
        List<MountTable.Mount> mounts = MountTable.parse(INFO);
        assertEquals(8, mounts.size());
        assertEquals(new MountTable.Mount(43, 42, Path.of("/run/netns/berth-h1"), "nsfs"), mounts.get(1));
        assertEquals("overlay", mounts.get(3).fsType());
        assertEquals(Path.of("/run/berth-lab/h1/exec/netns/with space"), mounts.get(5).mountPoint());
    }

    @Test
    void unescape_decodesOctalEscapesOnly() {
        assertEquals("a b\tc\\d", MountTable.unescape("a\\040b\\011c\\134d"));
        assertEquals("plain\\9x", MountTable.unescape("plain\\9x"));
        assertEquals("end\\04", MountTable.unescape("end\\04"));
    }

    @Test
    void unmountOrder_isDeepestFirstThenUpperOfStackedMountsFirst() {
        LabLayout layout = LabLayout.standard();
        List<Path> order = MountTable.unmountOrder(MountTable.parse(INFO), layout::contains);
        assertEquals(List.of(
                Path.of("/var/lib/berth-lab/h1/docker/overlay2/abc/merged"),
                Path.of("/run/berth-lab/h1/exec/netns/with space"),
                Path.of("/run/berth-lab"),
                Path.of("/run/berth-lab")), order);
    }

    @Test
    void parse_rejectsLinesWithoutTheSeparator() {
        assertThrows(LabException.class, () -> MountTable.parse("1 2 3:4 / /x rw\n"));
    }
}
