package dev.berth.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The spec of a container inspected on Debian's docker.io 20.10 ({@code container-spec.json}: captured in the lab from
 * {@code docker run --network wnet --ip ... --network-alias ... -v wdata:/data ...}, then given a second network, a
 * bind, an anonymous volume, ports, capabilities, limits and a health check by hand).
 */
@Tag("unit")
class ContainerSpecTest {
    private static final JsonMapper JSON = new JsonMapper();
    private static final String SHORT_ID = "f34d532cb1e2";
    private static final String ANON = "9c1f3a7d5e2b4c6a8f0e1d3c5b7a9f2e4d6c8b0a1f3e5d7c9b2a4f6e8d0c1b3a";

    static JsonNode inspect() {
        try {
            return JSON.readTree(FakeDocker.resource("container-spec.json"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static ContainerSpec spec() {
        return ContainerSpec.from(inspect());
    }

    @Test
    void from_readsNameImageAndTheImagesId() {
        ContainerSpec spec = spec();
        assertEquals("web", spec.name());
        assertEquals("berth/testbox", spec.image());
        assertEquals(inspect().get("Image").asText(), spec.imageId());
        assertTrue(spec.imageId().startsWith("sha256:"));
    }

    @Test
    void volumes_areTheNamedAndAnonymousOnesWithTheirDriverByDestination_notBinds() {
        ContainerSpec spec = spec();
        assertEquals(List.of(new ContainerSpec.Volume(ANON, "local", "/cache", false),
                new ContainerSpec.Volume("wdata", "local", "/data", false)), spec.volumes(), "by destination");
        assertEquals(List.of(ANON, "wdata"), spec.volumeNames());
    }

    @Test
    void anonymousVolume_isBoundByNameSoTheDataStaysWithTheContainer() {
        JsonNode binds = spec().createBody().at("/HostConfig/Binds");
        assertEquals(List.of("wdata:/data", "/srv/conf:/etc/web:ro", ANON + ":/cache"), strings(binds));
    }

    @Test
    void networks_primaryFirstWithCurrentAddressesAndAliasesLessTheShortId() {
        ContainerSpec spec = spec();
        assertEquals("frontnet", spec.primaryNetwork());
        assertEquals(List.of("frontnet", "backnet"), List.copyOf(spec.networks().keySet()));
        assertEquals(new ContainerSpec.Endpoint("frontnet", "10.124.0.10", "", "02:42:0a:7c:00:0a", List.of("www")),
                spec.networks().get("frontnet"));
        assertEquals(new ContainerSpec.Endpoint("backnet", "10.125.0.7", "", "02:42:0a:7d:00:07",
                List.of("db-client")), spec.networks().get("backnet"));
    }

    @Test
    void createBody_carriesConfigLessWhatDockerMadeUp() {
        ObjectNode body = spec().createBody();
        assertEquals("berth/testbox", body.get("Image").asText());
        assertEquals(List.of("sh"), strings(body.get("Entrypoint")));
        assertEquals(List.of("-c", "echo $GREETING >> /data/log; exec sleep 600"), strings(body.get("Cmd")));
        assertTrue(strings(body.get("Env")).contains("GREETING=hello"));
        assertEquals("web", body.at("/Labels/role").asText());
        assertEquals("/data", body.get("WorkingDir").asText());
        assertEquals("nobody", body.get("User").asText());
        assertTrue(body.at("/ExposedPorts/80~1tcp").isObject());
        assertTrue(body.at("/Volumes/~1cache").isObject());
        assertEquals("SIGINT", body.get("StopSignal").asText());
        assertEquals(3, body.get("StopTimeout").asInt());
        assertEquals("CMD-SHELL", body.at("/Healthcheck/Test/0").asText());
        assertFalse(body.has("Hostname"), "the hostname docker made from the old ID");
        assertFalse(body.has("AttachStdout"));
        assertFalse(body.has("MacAddress"));
    }

    @Test
    void createBody_passesHostConfigLessTheOldDaemonsFields() {
        JsonNode host = spec().createBody().get("HostConfig");
        assertEquals("frontnet", host.get("NetworkMode").asText());
        assertEquals("on-failure", host.at("/RestartPolicy/Name").asText());
        assertEquals(5, host.at("/RestartPolicy/MaximumRetryCount").asInt());
        assertEquals("8080", host.at("/PortBindings/80~1tcp/0/HostPort").asText());
        assertEquals(List.of("NET_ADMIN"), strings(host.get("CapAdd")));
        assertEquals(67108864, host.get("Memory").asLong());
        assertEquals(500000000, host.get("NanoCpus").asLong());
        assertEquals("10m", host.at("/LogConfig/Config/max-size").asText());
        assertEquals(List.of("10.0.0.53"), strings(host.get("Dns")));
        for (String gone : List.of("ContainerIDFile", "ConsoleSize", "MaskedPaths", "ReadonlyPaths", "KernelMemory",
                "KernelMemoryTCP")) {
            assertFalse(host.has(gone), gone);
        }
    }

    @Test
    void createBody_holdsThePrimaryEndpointOnly_withItsAddress() throws IOException {
        JsonNode endpoints = spec().createBody().at("/NetworkingConfig/EndpointsConfig");
        assertEquals(List.of("frontnet"), iterate(endpoints.fieldNames()));
        assertEquals(JSON.readTree("{\"Aliases\":[\"www\"],\"IPAMConfig\":{\"IPv4Address\":\"10.124.0.10\"}}"),
                endpoints.get("frontnet"));
    }

    @Test
    void endpoints_areEveryNetworksWithLinksAndDriverOptions() throws IOException {
        Map<String, ObjectNode> endpoints = spec().endpoints();
        assertEquals(List.of("frontnet", "backnet"), List.copyOf(endpoints.keySet()));
        assertEquals(JSON.readTree("{\"DriverOpts\":{\"com.example.opt\":\"1\"},\"Aliases\":[\"db-client\"],"
                + "\"IPAMConfig\":{\"IPv4Address\":\"10.125.0.7\"}}"), endpoints.get("backnet"));
    }

    @Test
    void withAddressesFalse_letsTheNetworksChoose_andWithMacAddressKeepsTheMac() {
        ContainerSpec spec = spec().withAddresses(false);
        assertFalse(spec.keepsAddresses());
        assertTrue(spec.endpoints().values().stream().noneMatch(e -> e.has("IPAMConfig")));
        assertTrue(spec().keepsAddresses(), "the original is unchanged");

        ContainerSpec mac = spec().withMacAddress(true);
        assertEquals("02:42:0a:7c:00:0a", mac.createBody().get("MacAddress").asText(), "API 1.41: Config's");
        assertEquals("02:42:0a:7d:00:07", mac.endpoints().get("backnet").get("MacAddress").asText(), "on connect");
    }

    @Test
    void withImageAndWithName_changeOnlyThat() {
        ContainerSpec spec = spec();
        ContainerSpec pinned = spec.withImage(spec.imageId()).withName("web2");
        assertEquals(spec.imageId(), pinned.image());
        assertEquals(spec.imageId(), pinned.createBody().get("Image").asText());
        assertEquals("web2", pinned.name());
        assertEquals("berth/testbox", spec.image());
        ObjectNode a = spec.createBody();
        ObjectNode b = pinned.createBody();
        a.remove("Image");
        b.remove("Image");
        assertEquals(a, b);
    }

    @Test
    void createBody_isAFreshCopy_soTheSpecStaysImmutable() {
        ContainerSpec spec = spec();
        spec.createBody().put("Image", "changed");
        ((ObjectNode) spec.createBody().get("HostConfig")).put("Privileged", true);
        spec.endpoints().get("backnet").put("MacAddress", "x");
        assertEquals(spec(), spec);
        assertThrows(UnsupportedOperationException.class, () -> spec.networks().clear());
        assertThrows(UnsupportedOperationException.class, () -> spec.volumes().clear());
    }

    @Test
    void networkModeGivenAsAnId_becomesTheNetworksName() {
        ObjectNode inspect = (ObjectNode) inspect();
        ((ObjectNode) inspect.get("HostConfig")).put("NetworkMode", "7d1e0c2b3a4f");
        ContainerSpec spec = ContainerSpec.from(inspect);
        assertEquals("backnet", spec.primaryNetwork());
        assertEquals("backnet", spec.createBody().at("/HostConfig/NetworkMode").asText());
        assertEquals(List.of("backnet"), iterate(spec.createBody().at("/NetworkingConfig/EndpointsConfig").fieldNames()));
    }

    @Test
    void defaultBridge_getsNeitherAddressNorAliases_andAnExplicitHostnameStays() {
        ObjectNode inspect = (ObjectNode) inspect();
        ((ObjectNode) inspect.get("HostConfig")).put("NetworkMode", "default");
        ((ObjectNode) inspect.get("Config")).put("Hostname", "web.example");
        ObjectNode networks = (ObjectNode) inspect.at("/NetworkSettings/Networks");
        JsonNode front = networks.get("frontnet");
        networks.removeAll();
        networks.set("bridge", front);
        ContainerSpec spec = ContainerSpec.from(inspect);
        assertEquals("bridge", spec.primaryNetwork());
        assertEquals("default", spec.createBody().at("/HostConfig/NetworkMode").asText());
        assertTrue(spec.createBody().at("/NetworkingConfig/EndpointsConfig").isEmpty());
        assertEquals("web.example", spec.createBody().get("Hostname").asText());
        assertEquals("10.124.0.10", spec.networks().get("bridge").ipv4Address(), "still reported");
    }

    @Test
    void anotherContainersNetwork_hasNoPrimaryNetwork() {
        ObjectNode inspect = (ObjectNode) inspect();
        ((ObjectNode) inspect.get("HostConfig")).put("NetworkMode", "container:" + SHORT_ID);
        ((ObjectNode) inspect.get("NetworkSettings")).putObject("Networks");
        ContainerSpec spec = ContainerSpec.from(inspect);
        assertNull(spec.primaryNetwork());
        assertTrue(spec.endpoints().isEmpty());
        assertTrue(spec.createBody().at("/NetworkingConfig/EndpointsConfig").isEmpty());
    }

    @Test
    void from_refusesWhatIsNotAContainersInspect() {
        assertThrows(IllegalArgumentException.class, () -> ContainerSpec.from(JSON.createObjectNode()));
        assertThrows(NullPointerException.class, () -> ContainerSpec.from(null));
    }

    private static List<String> strings(JsonNode array) {
        return iterate(array.elements()).stream().map(JsonNode::asText).toList();
    }

    private static <T> List<T> iterate(java.util.Iterator<T> it) {
        List<T> all = new java.util.ArrayList<>();
        it.forEachRemaining(all::add);
        return all;
    }
}
