package dev.berth.dns;

import dev.berth.docker.DockerApi;
import dev.berth.kv.HostIdentity;
import dev.berth.kv.KvStore;
import dev.berth.kv.KvStores;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code berth/dns} process on one host: publishes this host's containers, follows every host's records, and
 * serves DNS. Runs in its own container with the host's network ({@code berth up} starts it).
 */
public final class DnsService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DnsService.class);
    static final Duration LEASE_TTL = Duration.ofSeconds(10);

    private final KvStore store;
    private final DockerApi docker;
    private final Publisher publisher;
    private final RecordView view;
    private final DnsServer server;

    private DnsService(KvStore store, DockerApi docker, Publisher publisher, RecordView view, DnsServer server) {
        this.store = store;
        this.docker = docker;
        this.publisher = publisher;
        this.view = view;
        this.server = server;
    }

    public static DnsService start(DnsConfig config) throws IOException {
        String hostId = HostIdentity.load(config.hostIdFile());
        KvStore store = KvStores.open(config.store());
        DockerApi docker = DockerApi.connect(config.dockerSocket());
        RecordView view = RecordView.start(store, hostId);
        DnsServer server = DnsServer.start(config.listen(), new ClusterResolver(view::index, config.ttl()),
                new Forwarder(config.upstreams(), config.timeout()), 16);
        Publisher publisher = new Publisher(docker, store, hostId, config.scope(), LEASE_TTL, config.serviceLabel(),
                config.portsLabel());
        publisher.start(Duration.ofSeconds(30));
        LOG.info("berth/dns: host {}, serving {}, store {}", hostId, server.address(),
                config.store().isBlank() ? "embedded" : config.store());
        return new DnsService(store, docker, publisher, view, server);
    }

    public DnsServer server() {
        return server;
    }

    @Override
    public void close() {
        publisher.close();
        server.close();
        view.close();
        docker.close();
        store.close();
    }

    public static void main(String[] args) throws Exception {
        DnsService service;
        try {
            service = start(DnsConfig.fromEnv(System.getenv()));
        } catch (IllegalArgumentException e) {
            LOG.error("configuration error: {}", e.getMessage());
            System.exit(2);
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            service.close();
            stopped.countDown();
        }, "berth-dns-stop"));
        stopped.await();
    }
}
