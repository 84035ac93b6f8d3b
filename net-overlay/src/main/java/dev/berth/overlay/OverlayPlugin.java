package dev.berth.overlay;

import dev.berth.host.PluginLauncher;
import dev.berth.kv.HostIdentity;
import dev.berth.kv.KvException;
import dev.berth.kv.KvStore;
import dev.berth.kv.KvStores;
import dev.berth.kv.Lease;
import dev.berth.netlink.NetlinkHandle;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code berth/overlay} plugin process. Settings: {@code BERTH_KV} (the cluster store; empty = the embedded
 * store, one host), {@code BERTH_OVERLAY_UNDERLAY} (device or address tunnels leave by; empty = the default route's),
 * {@code BERTH_HOST_ID_FILE}. Networks and endpoints are restored in the background after start (Docker gives a
 * plugin seconds to answer; the store may take longer).
 */
public final class OverlayPlugin {
    private static final Logger LOG = LoggerFactory.getLogger(OverlayPlugin.class);

    private OverlayPlugin() {
    }

    public static void main(String[] args) {
        PluginLauncher.serve(config -> List.of(start(System.getenv())));
    }

    static OverlayDriver start(Map<String, String> env) {
        String hostId = HostIdentity.load(Path.of(env.getOrDefault("BERTH_HOST_ID_FILE", "/var/lib/berth/host-id")));
        KvStore local = KvStores.open(env.getOrDefault("BERTH_OVERLAY_LOCAL_STORE", "embedded:///var/lib/berth/kv"));
        String kv = env.getOrDefault("BERTH_KV", "");
        KvStore cluster = kv.isBlank() ? local : KvStores.open(kv);
        NetlinkHandle nl = NetlinkHandle.open();
        Underlay underlay = Underlay.find(nl, env.get("BERTH_OVERLAY_UNDERLAY"));
        LeaseKeeper leases = new LeaseKeeper(cluster);
        OverlayDriver driver = new OverlayDriver(nl, cluster, local, hostId, underlay.address(), underlay.index(),
                underlay.mtu(), leases::current, Clock.systemUTC());
        leases.onRenewed(driver::republish);
        Thread restore = new Thread(() -> {
            for (int attempt = 0; ; attempt++) {
                try {
                    driver.restore();
                    return;
                } catch (KvException e) {
                    LOG.warn("restoring networks failed ({}); trying again", e.getMessage());
                    sleep(Math.min(10_000, 500L << Math.min(attempt, 5)));
                }
            }
        }, "berth-overlay-restore");
        restore.setDaemon(true);
        restore.start();
        java.util.concurrent.ScheduledExecutorService watchdog = java.util.concurrent.Executors
                .newSingleThreadScheduledExecutor(r -> {
                    Thread t = new Thread(r, "berth-overlay-lease");
                    t.setDaemon(true);
                    return t;
                });
        watchdog.scheduleWithFixedDelay(() -> {
            try {
                leases.current();
            } catch (KvException e) {
                LOG.warn("the store is unreachable ({}); endpoints are republished when it is back", e.getMessage());
            }
        }, 2, 2, java.util.concurrent.TimeUnit.SECONDS);
        LOG.info("berth/overlay: host {}, underlay {} ({}, mtu {})", hostId, underlay.device(),
                underlay.address().getHostAddress(), underlay.mtu());
        return driver;
    }

    /** The host's lease for its endpoint records; a lease the store ended (a long outage) is replaced. */
    static final class LeaseKeeper {
        private final KvStore store;
        private Lease lease;
        private Runnable renewed = () -> { };

        LeaseKeeper(KvStore store) {
            this.store = store;
        }

        void onRenewed(Runnable r) {
            this.renewed = r;
        }

        synchronized Lease current() {
            if (lease == null || !lease.isAlive()) {
                boolean again = lease != null;
                lease = store.grantLease(OverlayDriver.leaseTtl());
                if (again) {
                    new Thread(renewed, "berth-overlay-republish").start();
                }
            }
            return lease;
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
