package dev.berth.overlay;

import dev.berth.host.Env;
import dev.berth.host.PluginLauncher;
import dev.berth.kv.HostIdentity;
import dev.berth.kv.KvException;
import dev.berth.kv.KvStore;
import dev.berth.kv.KvStores;
import dev.berth.netlink.NetlinkHandle;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code berth/overlay} plugin process. Settings: {@code BERTH_KV} (the cluster store; empty = the embedded
 * store, one host), {@code BERTH_OVERLAY_UNDERLAY} (device or address tunnels leave by; empty = the default route's),
 * {@code BERTH_HOST_ID_FILE}, {@code BERTH_OVERLAY_SWEEP_GRACE} (seconds a dead host keeps its hold on networks
 * before any live host removes it, default 600). Networks and endpoints are restored in the background after start (Docker gives a
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
        String hostId = HostIdentity.load(Path.of(Env.text(env, "BERTH_HOST_ID_FILE", "/var/lib/berth/host-id")));
        KvStore local = KvStores.open(Env.text(env, "BERTH_OVERLAY_LOCAL_STORE", "embedded:///var/lib/berth/kv"));
        String kv = Env.text(env, "BERTH_KV", "");
        KvStore cluster = kv.isBlank() ? local : KvStores.open(kv);
        NetlinkHandle nl = NetlinkHandle.open();
        Underlay underlay = Underlay.find(nl, env.get("BERTH_OVERLAY_UNDERLAY"));
        HostLease lease = new HostLease(cluster, hostId);
        OverlayDriver driver = new OverlayDriver(nl, cluster, local, hostId, underlay.address(), underlay.index(),
                underlay.mtu(), lease::current, Clock.systemUTC());
        lease.onRenewed(driver::republish);
        ScheduledExecutorService background = Executors.newScheduledThreadPool(1, r -> {
            Thread t = new Thread(r, "berth-overlay-background");
            t.setDaemon(true);
            return t;
        });
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
        background.scheduleWithFixedDelay(() -> {
            try {
                lease.current();
            } catch (KvException e) {
                LOG.warn("the store is unreachable ({}); endpoints are republished when it is back", e.getMessage());
            }
        }, 2, 2, TimeUnit.SECONDS);
        VniSweeper sweeper = new VniSweeper(cluster, Clock.systemUTC(),
                Env.seconds(env, "BERTH_OVERLAY_SWEEP_GRACE", 600));
        background.scheduleWithFixedDelay(() -> {
            try {
                sweeper.run();
            } catch (RuntimeException e) {
                LOG.warn("sweeping network holders failed ({}); trying again in a minute", e.toString());
            }
        }, 60, 60, TimeUnit.SECONDS);
        LOG.info("berth/overlay: host {}, underlay {} ({}, mtu {})", hostId, underlay.device(),
                underlay.address().getHostAddress(), underlay.mtu());
        return driver;
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
