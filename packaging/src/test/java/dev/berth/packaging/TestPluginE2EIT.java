package dev.berth.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.exec.DockerCli;
import dev.berth.lab.Lab;
import dev.berth.lab.LabHost;
import dev.berth.lab.LabSpec;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The whole path before any real driver exists: the test-only directory volume plugin is bundled, installed as a Docker
 * managed plugin on a real dockerd (a lab host), activated by it, and used by {@code docker volume create -d} and
 * {@code docker run -v}; the data lands in the plugin's volume directory, which Docker maps into its rootfs on the host.
 */
@Tag("lab")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TestPluginE2EIT {
    private static final Lab LAB = Lab.standard();
    private static LabHost host;
    private static DockerCli docker;
    private static Bundle bundle;

    @BeforeAll
    static void up() throws Exception {
        bundle = TestPlugin.build(Path.of("target/e2e-bundle"));
        host = LAB.up(LabSpec.of(1), (h, kv) -> new PluginInstaller(h.docker()).ensure(bundle, Map.of())).get(0);
        docker = host.docker();
    }

    @AfterAll
    static void down() {
        LAB.down();
    }

    @Test
    @Order(1)
    void dockerShowsThePluginEnabled() {
        String ls = docker.check("plugin", "ls", "--format", "{{.Name}} {{.Enabled}}");
        assertTrue(ls.contains("berth/testvol:latest true"), ls);
    }

    @Test
    @Order(2)
    void volumeCreateAndRun_putTheDataInThePluginsDirectory() throws Exception {
        docker.check("volume", "create", "-d", "berth/testvol", "data1");
        assertEquals("berth/testvol:latest", docker.check("volume", "inspect", "--format", "{{.Driver}}", "data1"));
        docker.check("run", "--rm", "-v", "data1:/mnt", "berth/testbox", "sh", "-c", "echo hello-berth > /mnt/f.txt");
        String id = docker.check("plugin", "inspect", "--format", "{{.Id}}", "berth/testvol");
        String root = docker.check("info", "--format", "{{.DockerRootDir}}");
        Path onHost = Path.of(root, "plugins", id, "rootfs", "data", "volumes", "data1", "f.txt");
        assertEquals("hello-berth\n", Files.readString(onHost));
        assertEquals("hello-berth", docker.check("run", "--rm", "-v", "data1:/m", "berth/testbox", "cat", "/m/f.txt"));
        assertTrue(docker.check("volume", "ls", "--format", "{{.Name}}").contains("data1"));
    }

    @Test
    @Order(3)
    void badVolumeOption_isRefusedWithThePluginsMessage() {
        var r = docker.command("volume", "create", "-d", "berth/testvol", "-o", "size=1G", "data2").run();
        assertTrue(r.exitCode() != 0);
        assertTrue(r.stderr().contains("unknown options [size]"), r.stderr());
    }

    @Test
    @Order(4)
    void installingTheSameBundleAgain_changesNothing_andARestartKeepsTheData() {
        PluginInstaller installer = new PluginInstaller(docker);
        assertEquals(PluginInstaller.Outcome.UNCHANGED, installer.ensure(bundle, Map.of()));
        docker.check("plugin", "disable", "-f", "berth/testvol");
        docker.check("plugin", "enable", "berth/testvol");
        assertEquals("hello-berth", docker.check("run", "--rm", "-v", "data1:/m", "berth/testbox", "cat", "/m/f.txt"));
        assertEquals(PluginInstaller.Outcome.RECONFIGURED,
                installer.ensure(bundle, Map.of("BERTH_TESTVOL_ROOT", "/data/volumes2")));
        assertEquals("BERTH_TESTVOL_ROOT=/data/volumes2", docker.check("plugin", "inspect", "--format",
                "{{range .Settings.Env}}{{println .}}{{end}}", "berth/testvol").lines()
                .filter(l -> l.startsWith("BERTH_TESTVOL_ROOT=")).findFirst().orElseThrow());
        assertEquals(PluginInstaller.Outcome.UNCHANGED,
                installer.ensure(bundle, Map.of("BERTH_TESTVOL_ROOT", "/data/volumes2")));
    }

    /**
     * A plugin that needs its host's Docker: the socket's path differs per host, so the mount's source is settable.
     * Its default source does not exist here, so enabling works only because the installer set it first.
     */
    @Test
    @Order(5)
    void settableMountSource_isSetBeforeEnable_comparedWithSettingsMounts_andChangedInPlace() throws Exception {
        PluginDescriptor testvol = PluginDescriptor.read(TestPlugin.DESCRIPTOR);
        PluginDescriptor.Mount socket = new PluginDescriptor.Mount("/run/berth-test/absent.sock", "/run/docker.sock",
                "bind", List.of("rbind"), "ask this host's Docker", "docker-socket", List.of("source"));
        PluginDescriptor withSocket = new PluginDescriptor("berth/testsock", testvol.description(),
                testvol.mainClass(), testvol.interfaceTypes(), testvol.network(), testvol.propagatedMount(),
                testvol.capabilities(), testvol.devices(), List.of(socket), testvol.env(), testvol.binaries(),
                testvol.jvmOptions());
        Bundle sock = new BundleBuilder(RuntimeImage.fromBuildJdk()).build(withSocket, TestPlugin.jars(), List.of(),
                Path.of("target/e2e-sock-bundle"));
        PluginInstaller installer = new PluginInstaller(docker);
        String here = host.dockerSocket().toString();
        try {
            assertEquals(PluginInstaller.Outcome.INSTALLED, installer.ensure(sock, Map.of(socket.sourceKey(), here)));
            assertEquals("docker-socket=" + here, docker.check("plugin", "inspect", "--format",
                    "{{range .Settings.Mounts}}{{.Name}}={{.Source}}{{end}}", "berth/testsock"));
            assertEquals(Map.of("docker-socket", here), installer.inspect("berth/testsock").orElseThrow().mounts());
            assertEquals(PluginInstaller.Outcome.UNCHANGED, installer.ensure(sock, Map.of(socket.sourceKey(), here)));

            Path other = Files.createDirectories(Path.of("target/e2e-sock")).toAbsolutePath().resolve("other.sock");
            Files.deleteIfExists(other);
            try (ServerSocketChannel s = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
                s.bind(UnixDomainSocketAddress.of(other)); // leaves a socket file behind, as a daemon's would be
            }
            assertEquals(PluginInstaller.Outcome.RECONFIGURED,
                    installer.ensure(sock, Map.of(socket.sourceKey(), other.toString())));
            PluginInstaller.Installed now = installer.inspect("berth/testsock").orElseThrow();
            assertTrue(now.enabled());
            assertEquals(other.toString(), now.mounts().get("docker-socket"));
        } finally {
            installer.remove("berth/testsock");
        }
    }
}
