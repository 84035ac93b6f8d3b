package dev.berth.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** hosts(), kvUrl(), host() and env() read only the state file: no root, no daemons. */
@Tag("unit")
class LabQueriesTest {
    @TempDir
    Path dir;
    private LabLayout layout;
    private Lab lab;

    @BeforeEach
    void setUp() {
        layout = new LabLayout(dir.resolve("var"), dir.resolve("run"));
        lab = new Lab(layout, m -> { });
    }

    private void record(int hosts, boolean etcd, String status) {
        new LabState(hosts, etcd, status, Map.of("h1", 1L)).write(layout.stateFile());
    }

    @Test
    void noStateFile_meansNoLab() {
        assertEquals(List.of(), lab.hosts());
        assertEquals(Optional.empty(), lab.kvUrl());
        LabException e = assertThrows(LabException.class, () -> lab.env("h1"));
        assertTrue(e.getMessage().contains("no lab is running"), e.getMessage());
    }

    @Test
    void runningLab_listsItsHostsAndKv() {
        record(3, true, LabState.RUNNING);
        assertEquals(List.of("h1", "h2", "h3"), lab.hosts().stream().map(LabHost::name).toList());
        assertEquals(Optional.of("etcd://10.99.0.254:2379/berth"), lab.kvUrl());
        assertEquals(layout.host(2), lab.host("h2"));
    }

    @Test
    void labWithoutEtcd_hasNoKvUrl() {
        record(2, false, LabState.RUNNING);
        assertEquals(Optional.empty(), lab.kvUrl());
    }

    @Test
    void labStillStarting_isNotRunning() {
        record(2, true, LabState.STARTING);
        assertEquals(List.of(), lab.hosts());
        assertThrows(LabException.class, () -> lab.env("h1"));
    }

    @Test
    void env_exportsTheHostsDockerSocket() {
        record(2, false, LabState.RUNNING);
        assertEquals("export DOCKER_HOST=unix://" + dir.resolve("run/h2/docker.sock"), lab.env("h2"));
        assertEquals("export DOCKER_HOST=unix:///run/berth-lab/h1/docker.sock",
                Lab.envLine(LabLayout.standard().host(1)));
    }

    @Test
    void env_namesTheHostsThereAreForAnUnknownHost() {
        record(3, false, LabState.RUNNING);
        LabException beyond = assertThrows(LabException.class, () -> lab.env("h4"));
        assertTrue(beyond.getMessage().contains("no host h4") && beyond.getMessage().contains("h1 .. h3"),
                beyond.getMessage());
        LabException bogus = assertThrows(LabException.class, () -> lab.env("web1"));
        assertTrue(bogus.getMessage().contains("'web1' is not a lab host name"), bogus.getMessage());
    }
}
