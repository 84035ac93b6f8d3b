package dev.berth.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.exec.DockerCli;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@Tag("unit")
class ContainerPluginInstallerTest {
    @TempDir
    Path dir;

    @Test
    void runArgs_carryTheDescriptorsPrivilegesMountsAndEnv_andTheLegacySocket() throws Exception {
        Files.writeString(dir.resolve("config.json"), "{\"entrypoint\":[\"/opt/java/bin/java\",\"-Xmx48m\",\"-cp\","
                + "\"/opt/berth/lib/a.jar\",\"dev.x.Main\"],\"env\":[{\"name\":\"BERTH_SOCKET\",\"value\":"
                + "\"/run/docker/plugins/berth.sock\"},{\"name\":\"BERTH_ZFS_PARENT\",\"value\":\"\"}]}");
        PluginDescriptor d = new PluginDescriptor("berth/zfs", "", "dev.x.Main", List.of("docker.volumedriver/1.0"),
                "none", null, List.of(new PluginDescriptor.Capability("CAP_SYS_ADMIN", "unmount")), List.of(),
                List.of(new PluginDescriptor.Mount("/mnt/berth", "/mnt/berth", "bind", List.of("rbind", "rshared"),
                                "mount root", "zfs-mounts", List.of("source")),
                        new PluginDescriptor.Mount("/run/docker.sock", "/run/docker.sock", "bind", List.of("bind"),
                                "api", "docker-socket", List.of("source"))),
                List.of(), List.of(), List.of());
        List<String> args = new ContainerPluginInstaller(DockerCli.forHost("unix:///nonexistent.sock")).runArgs(
                new Bundle(d, dir, "sha256:abc"), Map.of("zfs-mounts.source", "/mnt/pool",
                        "docker-socket.source", "/run/other.sock", "BERTH_ZFS_PARENT", "pool/berth"),
                "berth-plugin/zfs:abc", "berth-zfs", "sha256:abc/x");
        String joined = String.join(" ", args);
        assertTrue(joined.startsWith("run -d --name berth-zfs --restart always"), joined);
        assertTrue(joined.contains("--network none --cap-drop ALL"), joined);
        assertTrue(joined.contains("--cap-add SYS_ADMIN"), joined);
        assertTrue(joined.contains("--mount type=bind,source=/run/docker/plugins,destination=/run/docker/plugins"));
        assertTrue(joined.contains("--mount type=bind,source=/mnt/pool,destination=/mnt/pool,bind-propagation=rshared"),
                "a propagating identity mount keeps its identity: " + joined);
        assertTrue(joined.contains("--mount type=bind,source=/run/other.sock,destination=/run/docker.sock"), joined);
        assertTrue(joined.contains("-e BERTH_SOCKET=/run/docker/plugins/berth/zfs.sock"), joined);
        assertTrue(joined.contains("-e BERTH_ZFS_PARENT=pool/berth"), joined);
        assertTrue(joined.endsWith("--entrypoint /opt/java/bin/java berth-plugin/zfs:abc -Xmx48m -cp "
                + "/opt/berth/lib/a.jar dev.x.Main"), joined);
        assertEquals("berth-zfs", ContainerPluginInstaller.containerName("berth/zfs"));
    }
}
