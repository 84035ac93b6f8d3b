package dev.berth.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.exec.DockerCli;
import dev.berth.lab.Lab;
import dev.berth.lab.LabHost;
import dev.berth.lab.LabSpec;
import dev.berth.lab.SuiteInstaller;
import dev.berth.lab.TestImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The write side against real dockerds (two lab hosts, Debian's docker.io): a container captured as a
 * {@link ContainerSpec}, removed and created again from it keeps its environment, labels, restart policy, address,
 * alias and volume; an image streams from one daemon to the other ({@code save} into {@code load}, through a pipe) and
 * a container on two networks, with a named and an anonymous volume, moves with it. Needs root, dockerd and busybox-static (CI installs them).
 */
@Tag("lab")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DockerApiWriteLabIT {
    private static final String NETWORK = "wnet";
    private static final String SUBNET = "10.124.0.0/24";
    private static final String BOX = "wbox";
    private static final String BOX_IP = "10.124.0.10";
    private static final String MOVER = "mbox";
    private static final String MOVER_IP = "10.124.0.20";
    private static final String BACK = "wback";
    private static final String BACK_SUBNET = "10.126.0.0/24";
    private static final String MOVER_BACK_IP = "10.126.0.5";
    private static final String MOVER_IMAGE = "berth/apiwrite:v1";
    /** Appends a line to the volume each time it starts: two lines after a re-creation means the same volume. */
    private static final String LOG_AND_SLEEP = "echo $GREETING >> /data/log; exec sleep 600";

    private final Lab lab = Lab.standard().reporting(m -> System.out.println("[lab] " + m));
    private LabHost h1;
    private LabHost h2;
    private DockerCli cli1;
    private DockerCli cli2;
    private DockerApi api1;
    private DockerApi api2;

    @BeforeAll
    void up() throws IOException {
        assumeTrue(Files.readString(Path.of("/proc/self/status")).lines()
                .anyMatch(l -> l.matches("Uid:\\s+0\\s.*")), "the lab needs root");
        assumeTrue(Files.isExecutable(Path.of("/usr/sbin/dockerd")), "needs Debian's docker.io (dockerd)");
        List<LabHost> hosts = lab.up(new LabSpec(2, false), SuiteInstaller.NONE);
        h1 = hosts.get(0);
        h2 = hosts.get(1);
        cli1 = h1.docker();
        cli2 = h2.docker();
        api1 = DockerApi.connect(h1.dockerSocket());
        api2 = DockerApi.connect(h2.dockerSocket());
    }

    @AfterAll
    void down() {
        for (DockerApi api : new DockerApi[] {api1, api2}) {
            if (api != null) {
                api.close();
            }
        }
        if (h1 != null) {
            lab.down();
        }
    }

    @Test
    @Order(1)
    void containerRemovedAndCreatedFromItsSpec_keepsEnvLabelsRestartPolicyAddressAndVolume() {
        cli1.check("network", "create", "--subnet", SUBNET, NETWORK);
        String oldId = cli1.check("run", "-d", "--name", BOX, "--network", NETWORK, "--ip", BOX_IP,
                "--network-alias", "wsvc", "-e", "GREETING=hello", "--label", "berth.test=write",
                "--restart", "unless-stopped", "-v", "wdata:/data", "--stop-timeout", "3",
                TestImage.NAME, "sh", "-c", LOG_AND_SLEEP);
        JsonNode inspect = api1.containerJson(BOX);
        System.out.println("inspect of " + BOX + ":\n" + inspect.toPrettyString());
        assertEquals(oldId, inspect.get("Id").asText());

        ContainerSpec spec = api1.containerSpec(BOX);
        assertEquals(BOX, spec.name());
        assertEquals(TestImage.NAME, spec.image());
        assertEquals(api1.imageId(TestImage.NAME).orElseThrow(), spec.imageId());
        assertEquals(List.of("wdata"), spec.volumeNames());
        assertEquals(new ContainerSpec.Volume("wdata", "local", "/data", false), spec.volumes().get(0));
        assertEquals(NETWORK, spec.primaryNetwork());
        assertEquals(new ContainerSpec.Endpoint(NETWORK, BOX_IP, "", spec.networks().get(NETWORK).macAddress(),
                List.of("wsvc")), spec.networks().get(NETWORK));
        System.out.println("create body: " + spec.createBody().toPrettyString());

        api1.stopContainer(BOX, Duration.ofSeconds(1));
        api1.stopContainer(BOX, Duration.ofSeconds(1)); // 304: already stopped
        api1.removeContainer(BOX, false, false);
        assertThrows(DockerNotFoundException.class, () -> api1.container(BOX));

        String newId = api1.createContainer(BOX, spec);
        assertFalse(newId.equals(oldId));
        api1.startContainer(newId);
        api1.startContainer(BOX); // 304: already running

        Container c = api1.container(BOX);
        assertTrue(c.state().running());
        assertTrue(c.config().env().contains("GREETING=hello"), c.config().env().toString());
        assertEquals("write", c.config().labels().get("berth.test"));
        assertEquals("unless-stopped", c.hostConfig().restartPolicy().name());
        assertEquals(NETWORK, c.hostConfig().networkMode());
        EndpointSettings ep = c.networkSettings().networks().get(NETWORK);
        assertEquals(BOX_IP, ep.ipAddress());
        assertTrue(ep.aliases().contains("wsvc"), ep.aliases().toString());
        assertEquals(List.of("volume wdata local /data"), c.mounts().stream()
                .map(m -> m.type() + " " + m.name() + " " + m.driver() + " " + m.destination()).toList());
        assertEquals(3, api1.containerJson(BOX).path("Config").path("StopTimeout").asInt());
        assertEquals("hello\nhello", cli1.check("exec", BOX, "cat", "/data/log"), "the same volume, started twice");
        assertEquals(spec.withAddresses(true).createBody(), api1.containerSpec(BOX).createBody(),
                "the new container's spec is the old one's");
    }

    @Test
    @Order(2)
    void renameAndWait_andMissingThingsAreNotFound() {
        api1.renameContainer(BOX, BOX + "-renamed");
        assertEquals("/" + BOX + "-renamed", api1.container(BOX + "-renamed").name());
        api1.renameContainer(BOX + "-renamed", BOX);

        cli1.check("create", "--name", "wexit", TestImage.NAME, "sh", "-c", "exit 3");
        api1.startContainer("wexit");
        assertEquals(3, api1.waitContainer("wexit", Duration.ofSeconds(30)));
        api1.removeContainer("wexit", false, false);

        assertThrows(DockerNotFoundException.class, () -> api1.startContainer("no-such-box"));
        assertThrows(DockerNotFoundException.class, () -> api1.stopContainer("no-such-box", Duration.ZERO));
        assertThrows(DockerNotFoundException.class, () -> api1.removeContainer("no-such-box", true, true));
        DockerApiException taken = assertThrows(DockerApiException.class,
                () -> api1.createContainer(BOX, api1.containerSpec(BOX)));
        assertEquals(409, taken.status(), taken.getMessage());
        assertFalse(api1.imageExists("berth/no-such-image:1"));
        DockerApiException unsaved = assertThrows(DockerApiException.class,
                () -> api1.saveImage("berth/no-such-image:1", new ByteArrayOutputStream()));
        System.out.println("saving a missing image: " + unsaved.getMessage());
        DockerApiException badTar = assertThrows(DockerApiException.class,
                () -> api1.loadImage(new ByteArrayInputStream("not a tarball".getBytes(StandardCharsets.UTF_8))));
        System.out.println("loading garbage: " + badTar.getMessage());
    }

    @Test
    @Order(3)
    void containerMovesToTheOtherHost_withItsImageStreamedFromSaveIntoLoad() throws Exception {
        cli1.check("commit", "-c", "LABEL berth.image=apiwrite", BOX, MOVER_IMAGE);
        cli1.check("run", "-d", "--name", MOVER, "--network", NETWORK, "--ip", MOVER_IP,
                "-e", "GREETING=moved", "--label", "berth.test=move", "--restart", "always",
                "-v", "mdata:/data", "-v", "/cache", MOVER_IMAGE, "sh", "-c", LOG_AND_SLEEP);
        cli1.check("network", "create", "--subnet", BACK_SUBNET, BACK);
        cli1.check("network", "connect", "--ip", MOVER_BACK_IP, "--alias", "mback", BACK, MOVER);
        ContainerSpec spec = api1.containerSpec(MOVER);
        assertEquals(MOVER_IMAGE, spec.image());
        assertEquals(List.of(NETWORK, BACK), List.copyOf(spec.networks().keySet()));
        assertEquals(List.of("/cache", "/data"), spec.volumes().stream().map(ContainerSpec.Volume::destination).toList());
        String anonymous = spec.volumes().get(0).name();
        assertTrue(anonymous.matches("[0-9a-f]{64}"), anonymous);
        assertFalse(api2.imageExists(spec.image()), "h2 lacks the image before");
        assertFalse(api2.imageExists(spec.imageId()));

        PipedInputStream in = new PipedInputStream(1 << 16);
        PipedOutputStream out = new PipedOutputStream(in);
        CompletableFuture<Void> saved = CompletableFuture.runAsync(() -> {
            try (out) {
                api1.saveImage(spec.image(), out);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        List<String> loaded = api2.loadImage(in);
        saved.get(60, TimeUnit.SECONDS);
        assertEquals(List.of(MOVER_IMAGE), loaded);
        assertEquals(spec.imageId(), api2.imageId(spec.image()).orElseThrow(), "the very image");

        api1.stopContainer(MOVER, Duration.ofSeconds(1));
        cli2.check("network", "create", "--subnet", SUBNET, NETWORK);
        cli2.check("network", "create", "--subnet", BACK_SUBNET, BACK);
        String id = api2.createContainer(MOVER, spec);
        api2.startContainer(id);

        Container c = api2.container(MOVER);
        assertTrue(c.state().running());
        assertTrue(c.config().env().contains("GREETING=moved"), c.config().env().toString());
        assertEquals("move", c.config().labels().get("berth.test"));
        assertEquals("apiwrite", c.config().labels().get("berth.image"));
        assertEquals("always", c.hostConfig().restartPolicy().name());
        assertEquals(MOVER_IP, c.networkSettings().networks().get(NETWORK).ipAddress());
        EndpointSettings back = c.networkSettings().networks().get(BACK);
        assertEquals(MOVER_BACK_IP, back.ipAddress(), "the second network, connected after create");
        assertTrue(back.aliases().contains("mback"), back.aliases().toString());
        assertEquals(Map.of("/data", "mdata local", "/cache", anonymous + " local"), c.mounts().stream()
                .collect(java.util.stream.Collectors.toMap(MountPoint::destination, m -> m.name() + " " + m.driver())),
                "the anonymous volume keeps its name");
        assertEquals("moved", cli2.check("exec", MOVER, "cat", "/data/log"), "a fresh volume on h2");
        api2.removeContainer(MOVER, true, false);
        api1.removeContainer(MOVER, true, false);
    }
}
