package dev.berth.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The calls against a pretend daemon answering JSON captured from Debian's docker.io 20.10 (API 1.41). */
@Tag("unit")
class DockerApiTest {
    @TempDir
    Path dir;
    private FakeDocker daemon;
    private DockerApi docker;

    @BeforeEach
    void start() {
        daemon = new FakeDocker(dir.resolve("docker.sock")).resource("/version", "version.json");
        docker = DockerApi.connect(daemon.socket());
    }

    @AfterEach
    void stop() {
        docker.close();
        daemon.close();
    }

    @Test
    void version_readsTheDaemonsReleaseAndApi() {
        Version v = docker.version();
        assertEquals("20.10.24+dfsg1", v.version());
        assertEquals("1.41", v.apiVersion());
        assertEquals("1.12", v.minApiVersion());
        assertEquals("linux", v.os());
        assertEquals("amd64", v.arch());
        assertEquals(List.of("/version"), daemon.requests(), "/version is asked without a version prefix");
    }

    @Test
    void calls_speakTheDaemonsVersionWhenItIsOlder() {
        daemon.speaking("1.40", "1.12").json("/v1.40/networks", 200, "[]");
        assertEquals(List.of(), docker.networks());
        assertEquals("1.40", docker.apiVersion());
        assertEquals(List.of("/version", "/v1.40/networks"), daemon.requests());
    }

    @Test
    void calls_speakOursWhenTheDaemonIsNewer() {
        daemon.speaking("1.43", "1.12").json("/v1.41/networks", 200, "[]");
        docker.networks();
        docker.networks();
        assertEquals(List.of("/version", "/v1.41/networks", "/v1.41/networks"), daemon.requests(),
                "negotiated once");
    }

    @Test
    void calls_speakTheDaemonsMinimumWhenItNoLongerSpeaksOurs() {
        daemon.speaking("1.52", "1.44");
        assertEquals("1.44", docker.apiVersion());
    }

    @Test
    void negotiation_thatFailed_isTriedAgainOnTheNextCall() {
        daemon.json("/version", 500, "{\"message\":\"starting up\"}");
        DockerApiException e = assertThrows(DockerApiException.class, () -> docker.networks());
        assertEquals("starting up", e.dockerMessage());
        daemon.speaking("1.41", "1.12").json("/v1.41/networks", 200, "[]");
        assertEquals(List.of(), docker.networks());
    }

    @Test
    void networks_listsEveryNetworkWithItsIpamButNoContainers() {
        daemon.resource("/v1.41/networks", "networks.json");
        List<Network> all = docker.networks();
        assertEquals(List.of("none", "host", "bridge", "fixnet"), all.stream().map(Network::name).toList());
        Network none = all.get(0);
        assertEquals(Map.of(), none.ipam().options(), "Options: null reads as empty");
        assertEquals(List.of(), none.ipam().config());
        Network bridge = all.get(2);
        assertEquals("172.17.0.0/16", bridge.ipam().config().get(0).subnet());
        assertEquals("", bridge.ipam().config().get(0).gateway(), "the default bridge states no gateway");
        assertEquals("docker0", bridge.options().get("com.docker.network.bridge.name"));
        Network fixnet = all.get(3);
        assertEquals("44aed4ad08747ffd519dae09d6445a9e839e9b1250852583f25cf67bcaca3e02", fixnet.id());
        assertEquals("bridge", fixnet.driver());
        assertEquals("local", fixnet.scope());
        assertFalse(fixnet.internal());
        assertEquals(Map.of("team", "berth"), fixnet.labels());
        Network.IpamConfig pool = fixnet.ipam().config().get(0);
        assertEquals("default", fixnet.ipam().driver());
        assertEquals("10.77.0.0/24", pool.subnet());
        assertEquals("10.77.0.128/25", pool.ipRange());
        assertEquals("10.77.0.1", pool.gateway());
        assertEquals(Map.of("r", "10.77.0.2"), pool.auxiliaryAddresses());
        assertTrue(all.stream().allMatch(n -> n.containers().isEmpty()), "the list leaves Containers empty");
    }

    @Test
    void network_hasTheEndpointsOfItsContainers() {
        daemon.resource("/v1.41/networks/fixnet", "network-fixnet.json");
        Network n = docker.network("fixnet");
        Network.Endpoint web = n.containers().get("363a3643ef0dd57b86266d61643d711eaf9ac40bef18237cd3f1b934bebb6456");
        assertEquals("web", web.name());
        assertEquals("ba9a78b4589917d00192929085ed6309350f447fd4e2714c8674481aaf878b7d", web.endpointId());
        assertEquals("02:42:0a:4d:00:80", web.macAddress());
        assertEquals("10.77.0.128/24", web.ipv4Address());
        assertEquals("", web.ipv6Address());
    }

    @Test
    void containers_readsNamesStateNetworksAndMounts() {
        daemon.resource("/v1.41/containers/json", "containers.json");
        List<ContainerSummary> all = docker.containers(true);
        assertEquals("/v1.41/containers/json?all=true", daemon.requests().get(1));
        assertEquals(List.of("idle", "web"), all.stream().map(ContainerSummary::name).toList());
        ContainerSummary web = all.get(1);
        assertEquals(List.of("/web"), web.names());
        assertEquals("berth/testbox", web.image());
        assertEquals("running", web.state());
        assertEquals("Up 3 seconds", web.status());
        assertEquals(Map.of("role", "web"), web.labels());
        EndpointSettings ep = web.networkSettings().networks().get("fixnet");
        assertEquals("44aed4ad08747ffd519dae09d6445a9e839e9b1250852583f25cf67bcaca3e02", ep.networkId());
        assertEquals("10.77.0.128", ep.ipAddress());
        assertEquals(24, ep.ipPrefixLen());
        assertEquals("02:42:0a:4d:00:80", ep.macAddress());
        assertEquals(List.of(), ep.aliases(), "the list has Aliases: null");
        assertEquals(2, web.mounts().size());
        MountPoint volume = web.mounts().get(0);
        assertEquals("volume", volume.type());
        assertEquals("data1", volume.name());
        assertEquals("local", volume.driver());
        assertEquals("/data", volume.destination());
        assertEquals("/var/lib/berth-lab/h1/docker/volumes/data1/_data", volume.source());
        MountPoint bind = web.mounts().get(1);
        assertEquals("bind", bind.type());
        assertEquals("", bind.name());
        assertEquals("/tmp", bind.source());
        docker.containers(false);
        assertEquals("/v1.41/containers/json?all=false", daemon.requests().get(2));
    }

    @Test
    void container_readsStateConfigHostConfigNetworksAndMounts() {
        daemon.resource("/v1.41/containers/web/json", "container-web.json");
        Container c = docker.container("web");
        assertEquals("363a3643ef0dd57b86266d61643d711eaf9ac40bef18237cd3f1b934bebb6456", c.id());
        assertEquals("/web", c.name());
        assertEquals("web", c.shortName());
        assertTrue(c.state().running());
        assertEquals(31093, c.state().pid());
        assertEquals("running", c.state().status());
        assertEquals("berth/testbox", c.config().image());
        assertEquals(List.of("sleep", "3600"), c.config().cmd());
        assertEquals(List.of("A=1"), c.config().env());
        assertEquals(Map.of("role", "web"), c.config().labels());
        assertEquals("363a3643ef0d", c.config().hostname());
        assertEquals("unless-stopped", c.hostConfig().restartPolicy().name());
        assertEquals(List.of("data1:/data", "/tmp:/hosttmp"), c.hostConfig().binds());
        assertEquals("fixnet", c.hostConfig().networkMode());
        EndpointSettings ep = c.networkSettings().networks().get("fixnet");
        assertEquals(List.of("www", "363a3643ef0d"), ep.aliases());
        assertEquals("10.77.0.128", ep.ipAddress());
        assertEquals("ba9a78b4589917d00192929085ed6309350f447fd4e2714c8674481aaf878b7d", ep.endpointId());
        assertEquals(List.of("volume", "bind"), c.mounts().stream().map(MountPoint::type).toList());
    }

    @Test
    void unknownFieldsAndNulls_areToleratedAndNeverNull() {
        daemon.json("/v1.41/networks/x", 200, """
                {"Id":"abc","Name":"x","Future":{"Nested":[1,2]},"IPAM":null,"Labels":null,"Containers":null}""")
                .json("/v1.41/containers/x/json", 200, "{\"Id\":\"c\",\"Config\":{\"Cmd\":null},\"Mounts\":null}");
        Network n = docker.network("x");
        assertEquals("abc", n.id());
        assertEquals("", n.driver());
        assertEquals(List.of(), n.ipam().config());
        assertEquals(Map.of(), n.labels());
        assertEquals(Map.of(), n.containers());
        Container c = docker.container("x");
        assertEquals(List.of(), c.config().cmd());
        assertEquals("", c.hostConfig().restartPolicy().name());
        assertEquals(Map.of(), c.networkSettings().networks());
        assertFalse(c.state().running());
    }

    @Test
    void namesInPaths_areEncoded() {
        daemon.json("/v1.41/networks/a b", 200, "{\"Id\":\"1\",\"Name\":\"a b\"}");
        assertEquals("a b", docker.network("a b").name());
        assertEquals("/v1.41/networks/a%20b", daemon.requests().get(1));
        assertThrows(IllegalArgumentException.class, () -> docker.container(" "));
    }

    @Test
    void notFound_isDockerNotFoundExceptionWithDockersMessage() {
        daemon.json("/v1.41/networks/nope", 404, "{\"message\":\"network nope not found\"}");
        DockerNotFoundException e = assertThrows(DockerNotFoundException.class, () -> docker.network("nope"));
        assertEquals(404, e.status());
        assertEquals("network nope not found", e.dockerMessage());
        assertEquals("GET /v1.41/networks/nope: 404 network nope not found", e.getMessage());
    }

    @Test
    void serverError_isDockerApiExceptionWithDockersMessage() {
        daemon.json("/v1.41/containers/json", 500, "{\"message\":\"write /var/lib/docker: no space left on device\"}");
        DockerApiException e = assertThrows(DockerApiException.class, () -> docker.containers(false));
        assertFalse(e instanceof DockerNotFoundException);
        assertEquals(500, e.status());
        assertEquals("write /var/lib/docker: no space left on device", e.dockerMessage());
    }

    @Test
    void plainTextError_keepsTheText() {
        daemon.answer("/v1.41/networks", (q, r) -> {
            r.setStatus(400);
            FakeDocker.chunk(r, "client version 1.11 is too old. Minimum supported API version is 1.12\n".getBytes());
        });
        DockerApiException e = assertThrows(DockerApiException.class, () -> docker.networks());
        assertEquals(400, e.status());
        assertEquals("client version 1.11 is too old. Minimum supported API version is 1.12", e.dockerMessage());
    }

    @Test
    void garbledAnswer_isDockerApiException() {
        daemon.json("/v1.41/networks", 200, "[{\"Id\": ");
        DockerApiException e = assertThrows(DockerApiException.class, () -> docker.networks());
        assertTrue(e.dockerMessage().startsWith("unreadable answer"), e.dockerMessage());
    }

    @Test
    void missingSocket_isDockerUnavailable() {
        try (DockerApi nowhere = DockerApi.connect(dir.resolve("nothing.sock"))) {
            DockerUnavailableException e = assertThrows(DockerUnavailableException.class, nowhere::networks);
            assertTrue(e.getMessage().contains("no Docker socket at " + dir.resolve("nothing.sock")), e.getMessage());
        }
    }

    @Test
    void socketNobodyListensOn_isDockerUnavailable() throws Exception {
        Path stale = dir.resolve("stale.sock");
        try (ServerSocketChannel s = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            s.bind(UnixDomainSocketAddress.of(stale));
        }
        try (DockerApi refused = DockerApi.connect(stale)) {
            DockerUnavailableException e = assertThrows(DockerUnavailableException.class, refused::version);
            assertTrue(e.getMessage().contains("cannot reach the daemon at " + stale), e.getMessage());
        }
    }

    @Test
    void daemonTooSlow_isDockerUnavailableAfterTheTimeout() {
        CountDownLatch never = new CountDownLatch(1);
        daemon.answer("/v1.41/containers/json", (q, r) -> {
            if (!never.await(3, TimeUnit.SECONDS)) {
                FakeDocker.write(r, 200, "[]");
            }
        });
        try (DockerApi impatient = DockerApi.connect(daemon.socket(), Duration.ofMillis(300))) {
            long t0 = System.nanoTime();
            DockerUnavailableException e = assertThrows(DockerUnavailableException.class,
                    () -> impatient.containers(true));
            long millis = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(millis < 2_000, millis + " ms");
            assertTrue(e.getMessage().contains("did not answer within 300 ms"), e.getMessage());
        } finally {
            never.countDown();
        }
    }

    @Test
    void closedClient_refusesCalls() {
        docker.close();
        docker.close();
        assertThrows(DockerUnavailableException.class, () -> docker.version());
    }

    @Test
    void connect_takesUnixUrlsAndPathsAndRefusesOthers() {
        assertEquals(Path.of("/run/docker.sock"), DockerApi.socketOf("unix:///run/docker.sock"));
        assertEquals(Path.of("/run/berth-lab/h1/docker.sock"), DockerApi.socketOf("/run/berth-lab/h1/docker.sock"));
        assertThrows(IllegalArgumentException.class, () -> DockerApi.socketOf("tcp://10.0.0.1:2375"));
        assertThrows(IllegalArgumentException.class, () -> DockerApi.socketOf(""));
        assertThrows(IllegalArgumentException.class, () -> DockerApi.connect(daemon.socket(), Duration.ZERO));
        try (DockerApi viaUrl = DockerApi.connect("unix://" + daemon.socket())) {
            assertEquals("20.10.24+dfsg1", viaUrl.version().version());
        }
    }
}
