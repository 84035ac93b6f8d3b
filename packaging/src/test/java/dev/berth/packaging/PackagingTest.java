package dev.berth.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@Tag("unit")
class PackagingTest {
    @TempDir
    Path dir;

    private Path descriptor(String json) throws IOException {
        Path f = dir.resolve("plugin.json");
        Files.writeString(f, json);
        return f;
    }

    @Test
    void descriptor_requiresAReasonForEveryPrivilege() throws IOException {
        Path f = descriptor("""
                {"name":"berth/x","mainClass":"a.B","interfaceTypes":["docker.volumedriver/1.0"],
                 "capabilities":[{"name":"CAP_SYS_ADMIN"}]}""");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PluginDescriptor.read(f));
        assertTrue(e.getMessage().contains("CAP_SYS_ADMIN needs a reason"), e.getMessage());
    }

    @Test
    void descriptor_rejectsBadNamesAndTypes() throws IOException {
        Path bad = descriptor("{\"name\":\"Berth X\",\"mainClass\":\"a.B\",\"interfaceTypes\":[\"docker.volumedriver/1.0\"]}");
        assertThrows(IllegalArgumentException.class, () -> PluginDescriptor.read(bad));
        Path type = descriptor("{\"name\":\"berth/x\",\"mainClass\":\"a.B\",\"interfaceTypes\":[\"docker.nope/1.0\"]}");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> PluginDescriptor.read(type)).getMessage()
                .contains("unknown interface type"));
    }

    @Test
    void configJson_carriesEntrypointInterfaceMountsAndReasons() throws IOException {
        PluginDescriptor d = PluginDescriptor.read(descriptor("""
                {"name":"berth/x","mainClass":"a.Main","interfaceTypes":["docker.volumedriver/1.0"],
                 "network":"host","propagatedMount":"/data",
                 "capabilities":[{"name":"CAP_SYS_ADMIN","why":"mount datasets"}],
                 "mounts":[{"source":"/var/lib/berth","destination":"/var/lib/berth","why":"plugin state"}],
                 "env":[{"name":"BERTH_KV","why":"cluster store"}]}"""));
        JsonNode c = new ObjectMapper().readTree(ConfigJson.render(d, List.of("a.jar", "b.jar"), "abc"));
        assertEquals("/opt/java/bin/java", c.get("entrypoint").get(0).asText());
        JsonNode entry = c.get("entrypoint");
        assertEquals("a.Main", entry.get(entry.size() - 1).asText());
        assertEquals("/opt/berth/lib/a.jar:/opt/berth/lib/b.jar", entry.get(entry.size() - 2).asText());
        assertEquals("docker.volumedriver/1.0", c.at("/interface/types/0").asText());
        assertEquals("berth.sock", c.at("/interface/socket").asText());
        assertEquals("host", c.at("/network/type").asText());
        assertEquals("CAP_SYS_ADMIN", c.at("/linux/capabilities/0").asText());
        assertTrue(c.get("description").asText().contains("CAP_SYS_ADMIN (mount datasets)"));
        assertEquals("plugin state", c.at("/mounts/0/description").asText());
        assertEquals("/data", c.get("propagatedMount").asText());
        boolean kvSettable = false;
        for (JsonNode e : c.get("env")) {
            if (e.get("name").asText().equals("BERTH_KV")) {
                kvSettable = e.get("settable").get(0).asText().equals("value");
            }
        }
        assertTrue(kvSettable, "BERTH_KV can be changed with docker plugin set");
    }

    @Test
    void configJson_writesANamedSettableMount_andLeavesOtherMountsAsBefore() throws IOException {
        PluginDescriptor d = PluginDescriptor.read(descriptor("""
                {"name":"berth/x","mainClass":"a.Main","interfaceTypes":["docker.ipamdriver/1.0"],
                 "mounts":[{"source":"/var/lib/berth","destination":"/var/lib/berth","why":"plugin state"},
                           {"name":"docker-socket","settable":["source"],"source":"/run/docker.sock",
                            "destination":"/run/docker.sock","why":"ask this host's Docker for its networks"}]}"""));
        PluginDescriptor.Mount socket = d.mounts().get(1);
        assertEquals("docker-socket", socket.name());
        assertTrue(socket.sourceSettable());
        assertEquals("docker-socket.source", socket.sourceKey());
        assertEquals("bind", socket.type());
        assertEquals(List.of("rbind"), socket.options());
        JsonNode c = new ObjectMapper().readTree(ConfigJson.render(d, List.of("a.jar"), "abc"));
        JsonNode written = c.at("/mounts/1");
        assertEquals("docker-socket", written.get("name").asText());
        assertEquals("source", written.at("/settable/0").asText());
        assertEquals(1, written.get("settable").size());
        assertEquals("/run/docker.sock", written.get("source").asText());
        assertEquals("/run/docker.sock", written.get("destination").asText());
        JsonNode plain = c.at("/mounts/0");
        assertFalse(plain.has("name"), "unnamed mounts are written as before (same bytes, same digest)");
        assertFalse(plain.has("settable"));
    }

    @Test
    void descriptor_refusesSettableMountsWithoutAUsableUniqueName() throws IOException {
        String head = "{\"name\":\"berth/x\",\"mainClass\":\"a.B\",\"interfaceTypes\":[\"docker.volumedriver/1.0\"],";
        Map<String, String> refusals = Map.of(
                "\"mounts\":[{\"settable\":[\"source\"],\"source\":\"/a\",\"destination\":\"/a\",\"why\":\"w\"}]}",
                "needs a name",
                "\"mounts\":[{\"name\":\"a\",\"source\":\"/a\",\"destination\":\"/a\",\"why\":\"w\"},"
                        + "{\"name\":\"a\",\"source\":\"/b\",\"destination\":\"/b\",\"why\":\"w\"}]}",
                "two mounts are named a",
                "\"mounts\":[{\"name\":\"docker.sock\",\"settable\":[\"source\"],\"source\":\"/a\",\"destination\":\"/a\",\"why\":\"w\"}]}",
                "must be lower case letters, digits and dashes",
                "\"mounts\":[{\"name\":\"a\",\"settable\":[\"destination\"],\"source\":\"/a\",\"destination\":\"/a\",\"why\":\"w\"}]}",
                "only its source",
                "\"env\":[{\"name\":\"kv\",\"why\":\"w\"}],"
                        + "\"mounts\":[{\"name\":\"kv\",\"source\":\"/a\",\"destination\":\"/a\",\"why\":\"w\"}]}",
                "also an env name");
        for (Map.Entry<String, String> r : refusals.entrySet()) {
            Path f = descriptor(head + r.getKey());
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PluginDescriptor.read(f),
                    r.getKey());
            assertTrue(e.getMessage().contains(r.getValue()), e.getMessage());
        }
    }

    @Test
    void installer_comparesMountSourceSettingsWithSettingsMounts_andTheRestWithEnv() {
        PluginInstaller.Installed installed = new PluginInstaller.Installed("berth/x:latest", "id", true,
                Map.of("BERTH_KV", "etcd://a", "BERTH_BUNDLE_DIGEST", "abc"),
                Map.of("docker-socket", "/run/berth-lab/h1/docker.sock"));
        assertEquals(Optional.of("/run/berth-lab/h1/docker.sock"), installed.setting("docker-socket.source"));
        assertEquals(Optional.of("etcd://a"), installed.setting("BERTH_KV"));
        assertEquals(Optional.empty(), installed.setting("other.source"));
        assertEquals(Map.of(), PluginInstaller.differs(installed,
                Map.of("docker-socket.source", "/run/berth-lab/h1/docker.sock", "BERTH_KV", "etcd://a")));
        assertEquals(Map.of("docker-socket.source", "/run/docker.sock"), PluginInstaller.differs(installed,
                Map.of("docker-socket.source", "/run/docker.sock", "BERTH_KV", "etcd://a")));
        assertEquals(Map.of("BERTH_KV", "etcd://b"), PluginInstaller.differs(installed,
                Map.of("docker-socket.source", "/run/berth-lab/h1/docker.sock", "BERTH_KV", "etcd://b")));
    }

    @Test
    void ldd_outputIsParsedAndMissingLibrariesAreFatal() {
        String out = """
                \tlinux-vdso.so.1 (0x00007ffd)
                \tlibz.so.1 => /lib/x86_64-linux-gnu/libz.so.1 (0x00007f10)
                \tlibjli.so => /tmp/b/rootfs/opt/java/lib/libjli.so (0x00007f20)
                \t/lib64/ld-linux-x86-64.so.2 (0x00007f30)
                """;
        assertEquals(List.of("/lib/x86_64-linux-gnu/libz.so.1", "/lib64/ld-linux-x86-64.so.2"),
                RootfsAssembler.parseLdd(out, Path.of("/tmp/b/rootfs/opt/java/bin/java"), Path.of("/tmp/b/rootfs")));
        assertThrows(IllegalStateException.class, () -> RootfsAssembler.parseLdd(
                "\tlibfoo.so.1 => not found\n", Path.of("x"), Path.of("/r")));
    }
}
