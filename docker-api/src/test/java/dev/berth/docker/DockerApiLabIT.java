package dev.berth.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.berth.exec.DockerCli;
import dev.berth.lab.Lab;
import dev.berth.lab.LabHost;
import dev.berth.lab.LabSpec;
import dev.berth.lab.SuiteInstaller;
import dev.berth.lab.TestImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
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
 * The client against a real dockerd (one lab host, Debian's docker.io): what the {@code docker} command creates, the
 * API shows, with the container's address; removing the container arrives as die and destroy events, live and replayed.
 * Needs root, dockerd and busybox-static (CI installs them).
 */
@Tag("lab")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DockerApiLabIT {
    private static final String NETWORK = "apinet";
    private static final String BOX = "apibox";
    private static final String BOX_IP = "10.123.0.10";

    private final Lab lab = Lab.standard().reporting(m -> System.out.println("[lab] " + m));
    private LabHost host;
    private DockerCli cli;
    private DockerApi api;
    private String networkId;
    private String containerId;

    @BeforeAll
    void up() throws IOException {
        assumeTrue(Files.readString(Path.of("/proc/self/status")).lines()
                .anyMatch(l -> l.matches("Uid:\\s+0\\s.*")), "the lab needs root");
        assumeTrue(Files.isExecutable(Path.of("/usr/sbin/dockerd")), "needs Debian's docker.io (dockerd)");
        host = lab.up(new LabSpec(1, false), SuiteInstaller.NONE).get(0);
        cli = host.docker();
        api = DockerApi.connect(host.dockerSocket());
    }

    @AfterAll
    void down() {
        if (api != null) {
            api.close();
        }
        if (host != null) {
            lab.down();
        }
    }

    @Test
    @Order(1)
    void version_isTheDaemonsAndTheApiVersionIsNegotiated() {
        Version v = api.version();
        assertEquals(cli.check("version", "--format", "{{.Server.Version}}"), v.version());
        assertEquals(cli.check("version", "--format", "{{.Server.APIVersion}}"), v.apiVersion());
        assertEquals("linux", v.os());
        String expected = ApiVersion.parse(v.apiVersion()).compareTo(ApiVersion.OURS) < 0 ? v.apiVersion() : "1.41";
        assertEquals(expected, api.apiVersion());
    }

    @Test
    @Order(2)
    void networkMadeWithTheCli_isListedAndShowsItsContainersAddress() {
        networkId = cli.check("network", "create", "--subnet", "10.123.0.0/24", "--gateway", "10.123.0.1",
                "--label", "berth.test=docker-api", NETWORK);
        containerId = cli.check("run", "-d", "--name", BOX, "--network", NETWORK, "--ip", BOX_IP,
                "--label", "berth.test=docker-api", TestImage.NAME, "sleep", "600");

        Network listed = api.networks().stream().filter(n -> n.name().equals(NETWORK)).findFirst().orElseThrow();
        assertEquals(networkId, listed.id());
        assertEquals("bridge", listed.driver());
        assertEquals("docker-api", listed.labels().get("berth.test"));
        assertEquals("10.123.0.0/24", listed.ipam().config().get(0).subnet());
        assertEquals("10.123.0.1", listed.ipam().config().get(0).gateway());

        Network full = api.network(networkId);
        Network.Endpoint ep = full.containers().get(containerId);
        assertEquals(BOX, ep.name());
        assertEquals(BOX_IP + "/24", ep.ipv4Address());
        assertEquals(full, api.network(NETWORK), "by name as by ID");
    }

    @Test
    @Order(3)
    void containerRunWithTheCli_isListedAndInspectedWithItsAddress() {
        ContainerSummary summary = api.containers(false).stream().filter(c -> c.id().equals(containerId))
                .findFirst().orElseThrow();
        assertEquals(BOX, summary.name());
        assertEquals("running", summary.state());
        assertEquals(TestImage.NAME, summary.image());
        EndpointSettings listed = summary.networkSettings().networks().get(NETWORK);
        assertEquals(BOX_IP, listed.ipAddress());
        assertEquals(24, listed.ipPrefixLen());
        assertEquals(networkId, listed.networkId());

        Container c = api.container(BOX);
        assertEquals(containerId, c.id());
        assertEquals("/" + BOX, c.name());
        assertTrue(c.state().running());
        assertTrue(c.state().pid() > 0);
        assertEquals(List.of("sleep", "600"), c.config().cmd());
        assertEquals("docker-api", c.config().labels().get("berth.test"));
        assertEquals(NETWORK, c.hostConfig().networkMode());
        EndpointSettings inspected = c.networkSettings().networks().get(NETWORK);
        assertEquals(BOX_IP, inspected.ipAddress());
        assertEquals(listed.endpointId(), inspected.endpointId());
        assertTrue(inspected.aliases().contains(containerId.substring(0, 12)), inspected.aliases().toString());
    }

    @Test
    @Order(4)
    void missingThings_areNotFoundWithDockersMessage() {
        DockerNotFoundException n = assertThrows(DockerNotFoundException.class, () -> api.network("no-such-net"));
        assertTrue(n.dockerMessage().contains("no-such-net"), n.dockerMessage());
        DockerNotFoundException c = assertThrows(DockerNotFoundException.class, () -> api.container("no-such-box"));
        assertTrue(c.dockerMessage().contains("no-such-box"), c.dockerMessage());
    }

    @Test
    @Order(5)
    void removingTheContainer_arrivesAsDieAndDestroy_liveAndReplayed() throws Exception {
        Instant before = Instant.now(); // the daemon and we share one clock
        Map<String, List<String>> filters = Map.of("type", List.of("container"), "container", List.of(containerId));
        List<Event> live = new CopyOnWriteArrayList<>();
        CountDownLatch destroyed = new CountDownLatch(1);
        CountDownLatch closed = new CountDownLatch(1);
        List<Throwable> causes = new CopyOnWriteArrayList<>();
        EventStream stream = api.events(filters, EventStream.Listener.of(e -> {
            live.add(e);
            if (e.action().equals("destroy")) {
                destroyed.countDown();
            }
        }, cause -> {
            if (cause != null) {
                causes.add(cause);
            }
            closed.countDown();
        }));
        cli.check("rm", "-f", BOX);
        assertTrue(destroyed.await(30, TimeUnit.SECONDS), "no destroy event; got " + live);
        List<String> actions = live.stream().map(Event::action).toList();
        assertTrue(actions.indexOf("die") >= 0 && actions.indexOf("die") < actions.indexOf("destroy"), actions.toString());
        Event die = live.get(actions.indexOf("die"));
        assertEquals(containerId, die.actor().id());
        assertEquals(BOX, die.actor().attributes().get("name"));
        assertTrue(die.instant().isAfter(before), die.instant() + " vs " + before);
        stream.close();
        assertTrue(closed.await(10, TimeUnit.SECONDS));
        assertTrue(causes.isEmpty(), causes.toString());

        List<Event> replayed = new CopyOnWriteArrayList<>();
        CountDownLatch replayedDestroy = new CountDownLatch(1);
        EventStream again = api.events(filters, before, EventStream.Listener.of(e -> {
            replayed.add(e);
            if (e.action().equals("destroy")) {
                replayedDestroy.countDown();
            }
        }, cause -> { }));
        try {
            assertTrue(replayedDestroy.await(30, TimeUnit.SECONDS), "nothing replayed since " + before);
        } finally {
            again.close();
        }
        assertEquals(actions, replayed.stream().map(Event::action).toList(), "the same events, replayed");
        assertNull(api.containers(true).stream().filter(c -> c.id().equals(containerId)).findFirst().orElse(null));
    }
}
