package dev.berth.dns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.docker.Container;
import dev.berth.docker.ContainerSummary;
import dev.berth.docker.DockerApi;
import dev.berth.docker.DockerNotFoundException;
import dev.berth.docker.EndpointSettings;
import dev.berth.docker.Event;
import dev.berth.docker.EventStream;
import dev.berth.docker.Network;
import dev.berth.docker.NetworkSettings;
import dev.berth.docker.Version;
import dev.berth.kv.KvStore;
import dev.berth.kv.KvStores;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the publisher writes for a scripted Docker, into a real embedded store, and what the index makes of it. */
@Tag("unit")
class PublisherTest {
    @TempDir
    Path tmp;
    KvStore store;
    FakeDocker docker;
    Publisher publisher;

    @BeforeEach
    void setUp() {
        store = KvStores.embedded(tmp.resolve("kv"));
        docker = new FakeDocker();
        docker.networks.put("n-shared", network("n-shared", "shared", "bridge", "berth/ipam:latest", "global"));
        docker.networks.put("n-local", network("n-local", "local", "bridge", "default", null));
        docker.networks.put("n-over", network("n-over", "over", "berth/overlay:latest", "berth/ipam:latest", null));
        publisher = new Publisher(docker, store, "host1", Publisher.Scope.BERTH, Duration.ofSeconds(10),
                "berth.service", "berth.service.ports");
    }

    @AfterEach
    void tearDown() {
        publisher.close();
        store.close();
    }

    private static Network network(String id, String name, String driver, String ipam, String scope) {
        return new Network(id, name, driver, "local", false, Map.of(), Map.of(),
                new Network.Ipam(ipam, scope == null ? Map.of() : Map.of("berth.scope", scope), List.of()), Map.of());
    }

    private static Container container(String id, String name, boolean running, Map<String, String> labels,
                                       Map<String, EndpointSettings> nets) {
        return new Container(id, "/" + name, new Container.State(running, 42, running ? "running" : "exited"),
                new Container.Config("berth/testbox", List.of(), List.of(), labels, name), null,
                new NetworkSettings(nets), List.of());
    }

    private static EndpointSettings on(String networkId, String ip, String... aliases) {
        return new EndpointSettings(networkId, "ep-" + ip, ip, 24, "", "02:42:00:00:00:01", List.of(aliases));
    }

    private NameIndex index() {
        List<ContainerRecord> records = new java.util.ArrayList<>();
        for (var kv : store.list(Publisher.PREFIX).entries()) {
            try {
                records.add(new com.fasterxml.jackson.databind.ObjectMapper().readValue(kv.value(),
                        ContainerRecord.class));
            } catch (java.io.IOException e) {
                throw new AssertionError(e);
            }
        }
        return new NameIndex(records);
    }

    @Test
    void runningContainersOnBerthNetworks_arePublished_withServiceAndPorts() {
        docker.containers.put("c1full", container("c1full", "web1", true,
                Map.of("berth.service", "web", "berth.service.ports", "80/tcp, 53/udp, junk"),
                Map.of("shared", on("n-shared", "10.61.0.5", "c1full".substring(0, 6), "frontend"),
                        "local", on("n-local", "172.20.0.2"),
                        "bridge", on("n-bridge", "172.17.0.2"))));
        docker.containers.put("c2full", container("c2full", "db", true, Map.of(),
                Map.of("local", on("n-local", "172.20.0.3"))));
        publisher.resync();

        assertEquals(1, store.list(Publisher.PREFIX).entries().size(), "only the container on a Berth network");
        NameIndex idx = index();
        var nets = idx.networksOf("10.61.0.5");
        assertEquals(java.util.Set.of("shared"), nets, "the local bridge and the default bridge are not published");
        assertEquals("10.61.0.5", idx.lookup("web1", nets).get(0).ipv4());
        assertEquals("10.61.0.5", idx.lookup("frontend.shared", nets).get(0).ipv4());
        assertEquals("10.61.0.5", idx.lookup("web", nets).get(0).ipv4());
        assertEquals(List.of(), idx.lookup("c1full", nets), "the short-ID alias Docker adds is not a name");
        assertEquals(2, idx.services("_web._tcp", nets).size() + idx.services("_web._udp", nets).size());
    }

    @Test
    void events_addAndRemoveRecords_andAResyncDropsWhatNoLongerRuns() {
        publisher.resync();
        docker.containers.put("c3full", container("c3full", "api", true, Map.of(),
                Map.of("over", on("n-over", "10.62.0.7"))));
        publisher.onEvent(event("container", "start", "c3full", Map.of()));
        assertEquals(1, store.list(Publisher.PREFIX + "host1/").entries().size());
        publisher.onEvent(event("container", "die", "c3full", Map.of()));
        assertEquals(0, store.list(Publisher.PREFIX).entries().size(), "a stopped container's name goes at once");

        publisher.onEvent(event("network", "connect", "n-over", Map.of("container", "c3full")));
        assertEquals(1, store.list(Publisher.PREFIX).entries().size());
        docker.containers.remove("c3full");
        publisher.resync();
        assertEquals(0, store.list(Publisher.PREFIX).entries().size());
        assertTrue(Publisher.ports("8080/TCP").get(0).proto().equals("tcp"));
    }

    private static Event event(String type, String action, String id, Map<String, String> attrs) {
        return new Event(type, action, new Event.Actor(id, attrs), Instant.now().getEpochSecond(), 0);
    }

    /** Docker as scripted by the test: containers and networks by ID; no events stream. */
    private static final class FakeDocker implements DockerApi {
        final Map<String, Container> containers = new ConcurrentHashMap<>();
        final Map<String, Network> networks = new ConcurrentHashMap<>();

        @Override
        public Path socket() {
            return Path.of("/nonexistent");
        }

        @Override
        public String apiVersion() {
            return "1.41";
        }

        @Override
        public Version version() {
            return new Version("20.10.24", "1.41", "1.12", "linux", "amd64");
        }

        @Override
        public List<Network> networks() {
            return List.copyOf(networks.values());
        }

        @Override
        public Network network(String idOrName) {
            Network n = networks.get(idOrName);
            if (n == null) {
                throw new DockerNotFoundException("network " + idOrName, "no such network");
            }
            return n;
        }

        @Override
        public List<ContainerSummary> containers(boolean all) {
            return containers.values().stream().filter(c -> all || c.state().running())
                    .map(c -> new ContainerSummary(c.id(), List.of(c.name()), "img", "running", "Up", Map.of(), null,
                            List.of())).toList();
        }

        @Override
        public Container container(String idOrName) {
            Container c = containers.get(idOrName);
            if (c == null) {
                throw new DockerNotFoundException("container " + idOrName, "no such container");
            }
            return c;
        }

        @Override
        public EventStream events(Map<String, List<String>> filters, Instant since, EventStream.Listener listener) {
            throw new UnsupportedOperationException("the test drives events itself");
        }

        @Override
        public void close() {
        }
    }
}
