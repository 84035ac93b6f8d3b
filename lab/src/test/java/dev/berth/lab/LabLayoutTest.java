package dev.berth.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("unit")
class LabLayoutTest {
    private final LabLayout layout = LabLayout.standard();

    @Test
    void host_namesEverythingAfterItsIndex() {
        LabHost h = layout.host(3);
        assertEquals("h3", h.name());
        assertEquals(3, h.index());
        assertEquals("berth-h3", h.netns());
        assertEquals("10.99.0.3", h.underlayAddress());
        assertEquals(Path.of("/run/berth-lab/h3/docker.sock"), h.dockerSocket());
        assertEquals("unix:///run/berth-lab/h3/docker.sock", h.dockerHost());
        assertEquals(Path.of("/var/lib/berth-lab/h3/plugins"), h.pluginDir());
        assertEquals(Path.of("/var/lib/berth-lab/h3/berth"), h.stateDir());
        assertEquals(Path.of("/var/run/netns/berth-h3"), h.netnsPath());
        assertEquals("berth-lv3", LabLayout.vethName(h));
        assertEquals(List.of("nsenter", "--net=/var/run/netns/berth-h3", "ip", "addr"), h.inNetns("ip", "addr").argv());
    }

    @Test
    void host_rejectsIndexOutsideOneToEight() {
        assertThrows(IllegalArgumentException.class, () -> layout.host(0));
        assertThrows(IllegalArgumentException.class, () -> layout.host(9));
    }

    @Test
    void indexOf_acceptsOnlyHostNames() {
        assertEquals(1, LabLayout.indexOf("h1"));
        assertEquals(8, LabLayout.indexOf("h8"));
        assertEquals(-1, LabLayout.indexOf("h0"));
        assertEquals(-1, LabLayout.indexOf("H1"));
        assertEquals(-1, LabLayout.indexOf("h01"));
        assertEquals(-1, LabLayout.indexOf("berth-h1"));
        assertEquals(-1, LabLayout.indexOf(""));
        assertEquals(-1, LabLayout.indexOf(null));
    }

    @Test
    void kernelNames_matchOnlyTheLabsOwn() {
        assertTrue(LabLayout.isLabNetns("berth-h1"));
        assertTrue(LabLayout.isLabNetns("berth-h12"));
        assertFalse(LabLayout.isLabNetns("berth-hx"));
        assertFalse(LabLayout.isLabNetns("berth-test1"));
        assertTrue(LabLayout.isLabLink("berth-lv2"));
        assertTrue(LabLayout.isLabLink("berth-lab0"));
        assertFalse(LabLayout.isLabLink("berth-lab1"));
        assertFalse(LabLayout.isLabLink("eth0"));
    }

    @Test
    void mentions_findsLabDirectoriesAsWholePathsOnly() {
        assertTrue(layout.mentions("dockerd --data-root /var/lib/berth-lab/h1/docker --exec-root x"));
        assertTrue(layout.mentions("containerd-shim-runc-v2 -address /run/berth-lab/h1/exec/containerd/c.sock"));
        assertTrue(layout.mentions("tail -f /var/run/berth-lab/h2/x.log"));
        assertTrue(layout.mentions("rm -rf /run/berth-lab"));
        assertTrue(layout.mentions("docker -H unix:///run/berth-lab/h1/docker.sock ps"));
        assertTrue(layout.mentions("etcd --data-dir=/var/lib/berth-lab/etcd"));
        assertFalse(layout.mentions("cat /var/lib/berth-lab2/x"));
        assertFalse(layout.mentions("dockerd --data-root /var/lib/docker"));
        assertFalse(layout.mentions(""));
    }

    @Test
    void contains_coversBothRootsAndTheVarRunAlias() {
        assertTrue(layout.contains(Path.of("/var/lib/berth-lab/h1/docker/overlay2/x/merged")));
        assertTrue(layout.contains(Path.of("/run/berth-lab")));
        assertTrue(layout.contains(Path.of("/var/run/berth-lab/h1/exec/netns/abc")));
        assertFalse(layout.contains(Path.of("/run/docker/plugins")));
        assertFalse(layout.contains(Path.of("/var/lib/berth-labx")));
    }

    @Test
    void roots_mustBePlainAbsolutePaths() {
        assertThrows(IllegalArgumentException.class, () -> new LabLayout(Path.of("/"), Path.of("/run/x")));
        assertThrows(IllegalArgumentException.class, () -> new LabLayout(Path.of("/var/lib/a b"), Path.of("/run/x")));
        assertThrows(IllegalArgumentException.class, () -> new LabLayout(Path.of("/var/lib/$(x)"), Path.of("/run/x")));
        assertThrows(IllegalArgumentException.class, () -> new LabLayout(Path.of("rel/dir"), Path.of("/run/x")));
    }
}
