package dev.berth.ipam;

import dev.berth.kv.HostIdentity;
import dev.berth.kv.KvStore;
import dev.berth.kv.KvStores;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Assembles the driver from its configuration: the stores, the host ID, both spaces, and the reconciler on a
 * background thread. Starting never waits for the cluster store (Docker gives a plugin seconds to answer); the first
 * call that needs it loads this host's pools, and answers 503 while it is unreachable.
 */
public final class IpamService {
    private static final Logger LOG = LoggerFactory.getLogger(IpamService.class);
    static final Duration PRESENCE_TTL = Duration.ofSeconds(15);

    private IpamService() {
    }

    public static BerthIpam start(IpamConfig config) {
        return start(config, DockerViews.forSocket(config.dockerSocket()), Clock.systemUTC());
    }

    static BerthIpam start(IpamConfig config, DockerView docker, Clock clock) {
        String hostId = HostIdentity.load(config.hostIdFile());
        List<AutoCloseable> resources = new ArrayList<>();
        KvStore localStore = KvStores.open(config.localStore());
        resources.add(localStore);
        KvStore clusterStore = localStore;
        if (config.clustered()) {
            clusterStore = KvStores.open(config.clusterStore());
            resources.add(0, clusterStore);
        }
        SpaceAllocator local = new SpaceAllocator(Space.LOCAL, localStore, hostId, config.quarantine(), clock,
                config.defaults(), () -> HostRoutes.read(config.procNet()));
        SpaceAllocator global = new SpaceAllocator(Space.GLOBAL, clusterStore, hostId, config.quarantine(), clock,
                config.defaults(), () -> HostRoutes.read(config.procNet()));
        HostPresence presence = config.clustered() ? new HostPresence(clusterStore, hostId, PRESENCE_TTL, clock) : null;
        if (presence != null) {
            resources.add(0, presence);
        }
        Reconciler reconciler = new Reconciler(List.of(local, global), global, presence, docker, clock,
                config.orphanGrace(), config.deadHostGrace());
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "berth-ipam-reconcile");
            t.setDaemon(true);
            return t;
        });
        long every = Math.max(1, config.reconcileEvery().toMillis());
        timer.scheduleWithFixedDelay(() -> {
            try {
                reconciler.runOnce();
            } catch (RuntimeException e) {
                LOG.error("reconciliation failed", e);
            }
        }, Math.min(every, 2_000), every, TimeUnit.MILLISECONDS);
        resources.add(0, timer::shutdownNow);
        resources.add(0, docker);
        LOG.info("berth/ipam: host {}, local space in {}, global space in {}", hostId, config.localStore(),
                config.clustered() ? config.clusterStore() : config.localStore() + " (single host)");
        return new BerthIpam(local, global, config.requiresMac(), reconciler, resources);
    }
}
