package dev.berth.wireguard.driver;

import dev.berth.host.Env;
import dev.berth.host.PluginLauncher;
import dev.berth.kv.HostIdentity;
import dev.berth.kv.KvException;
import dev.berth.kv.KvStore;
import dev.berth.kv.KvStores;
import dev.berth.netlink.NetlinkHandle;
import dev.berth.overlay.HostLease;
import dev.berth.overlay.Underlay;
import dev.berth.wireguard.Backend;
import dev.berth.wireguard.Backends;
import dev.berth.wireguard.GenlControl;
import dev.berth.wireguard.KernelLinks;
import dev.berth.wireguard.KeyPair;
import dev.berth.wireguard.KeyStore;
import dev.berth.wireguard.UapiControl;
import dev.berth.wireguard.UserspaceLinks;
import dev.berth.wireguard.WireGuardControl;
import dev.berth.wireguard.WireGuardLinks;
import dev.berth.wireguard.keeper.DeviceKeeperMain;
import dev.berth.wireguard.keeper.KeeperDir;
import dev.berth.wireguard.keeper.KeeperLinks;
import java.net.DatagramSocket;
import java.net.SocketException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code berth/wireguard} plugin process. Settings: {@code BERTH_KV} (cluster store; empty = the embedded store,
 * one host), {@code BERTH_WG_BACKEND} (kernel|userspace|auto), {@code BERTH_WG_UNDERLAY} (device or address peers
 * reach this host by; empty = the default route's device), {@code BERTH_WG_PORTS} (default 51820-52819),
 * {@code BERTH_HOST_ID_FILE}, {@code BERTH_WG_KEYS} (default /var/lib/berth/wireguard),
 * {@code BERTH_WG_LOCAL_STORE} (default embedded:///var/lib/berth/wireguard/kv). Networks come back in the background
 * after start, their wireguard-go devices started again.
 */
public final class WireGuardPlugin {
    private static final Logger LOG = LoggerFactory.getLogger(WireGuardPlugin.class);

    private WireGuardPlugin() {
    }

    public static void main(String[] args) {
        PluginLauncher.serve(config -> List.of(start(System.getenv())));
    }

    static WireGuardDriver start(Map<String, String> env) {
        String hostId = HostIdentity.load(Path.of(Env.text(env, "BERTH_HOST_ID_FILE", "/var/lib/berth/host-id")));
        KeyStore keyStore = new KeyStore(Path.of(Env.text(env, "BERTH_WG_KEYS", "/var/lib/berth/wireguard")));
        KeyPair keys = keyStore.loadOrCreate("host");
        Duration rotateEvery = duration(Env.text(env, "BERTH_WG_ROTATE_EVERY", ""), "BERTH_WG_ROTATE_EVERY");
        KvStore local = KvStores.open(Env.text(env, "BERTH_WG_LOCAL_STORE", "embedded:///var/lib/berth/wireguard/kv"));
        String kv = Env.text(env, "BERTH_KV", "");
        KvStore cluster = kv.isBlank() ? local : KvStores.open(kv);
        NetlinkHandle nl = NetlinkHandle.open();
        Underlay underlay;
        try {
            underlay = Underlay.find(nl, env.get("BERTH_WG_UNDERLAY"));
        } catch (IllegalArgumentException e) {
            // net-overlay's Underlay names its own variable
            throw new IllegalArgumentException(e.getMessage().replace("BERTH_OVERLAY_UNDERLAY", "BERTH_WG_UNDERLAY"),
                    e);
        }
        Backends.Selection backend = Backends.detect(env, Backends.system());
        WireGuardControl wg;
        WireGuardLinks links;
        if (backend.backend() == Backend.KERNEL) {
            wg = GenlControl.open();
            links = new KernelLinks(nl);
        } else {
            // the keeper's devices have their sockets in a host directory both containers mount; the plugin's
            // own (while no keeper runs) in its /var/run/wireguard
            Path sockets = Path.of(Env.text(env, "BERTH_WG_SOCKETS", "/var/lib/berth/wireguard/sockets"));
            UapiControl uapi = new UapiControl(List.of(sockets, UapiControl.DEFAULT_SOCKET_DIR),
                    Duration.ofSeconds(10));
            wg = uapi;
            UserspaceLinks own = new UserspaceLinks(backend.userspaceBinary(), null, Path.of("/run/berth/wireguard"),
                    new UapiControl(), Duration.ofSeconds(10));
            KeeperDir keeper = new KeeperDir(Path.of(Env.text(env, "BERTH_WG_KEEPER_DIR",
                    DeviceKeeperMain.DEFAULT_DIR)));
            links = new KeeperLinks(keeper, uapi, own, Duration.ofSeconds(15), LOG::warn);
            LOG.info("userspace devices: {}", keeper.keeperAlive()
                    ? "served by the wireguard-go keeper (berth-wireguard-go); they outlive plugin restarts"
                    : "no wireguard-go keeper runs yet; until one does, devices run inside this plugin");
        }
        int[] ports = ports(Env.text(env, "BERTH_WG_PORTS", "51820-52819"));
        HostLease lease = new HostLease(cluster, hostId);
        WireGuardDriver driver = new WireGuardDriver(nl, links, wg, cluster,
                local, new WireGuardDriver.Settings(hostId, keys, underlay.address(), underlay.mtu(), ports[0],
                ports[1], WireGuardPlugin::canBind), lease::current);
        lease.onRenewed(driver::republish);
        driver.useKeyStore(keyStore, "host");
        ScheduledExecutorService background = Executors.newScheduledThreadPool(1, r -> {
            Thread t = new Thread(r, "berth-wireguard-background");
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
        }, "berth-wireguard-restore");
        restore.setDaemon(true);
        restore.start();
        Thread rotations = new Thread(() -> {
            for (int attempt = 0; ; attempt++) {
                try {
                    driver.serveRotationRequests(ROTATE_ACK_TIMEOUT);
                    return;
                } catch (KvException e) {
                    sleep(Math.min(10_000, 500L << Math.min(attempt, 5)));
                }
            }
        }, "berth-wireguard-rotate-watch");
        rotations.setDaemon(true);
        rotations.start();
        if (rotateEvery != null) {
            background.scheduleWithFixedDelay(() -> {
                try {
                    driver.rotateKey(ROTATE_ACK_TIMEOUT, m -> LOG.info("periodic key rotation: {}", m));
                } catch (RuntimeException e) {
                    LOG.error("periodic key rotation failed: {}", e.toString());
                }
            }, rotateEvery.toMillis(), rotateEvery.toMillis(), TimeUnit.MILLISECONDS);
        }
        background.scheduleWithFixedDelay(driver::repairDevices, 5, 5, TimeUnit.SECONDS);
        background.scheduleWithFixedDelay(() -> {
            try {
                lease.current();
            } catch (KvException e) {
                LOG.warn("the store is unreachable ({}); records are republished when it is back", e.getMessage());
            }
        }, 2, 2, TimeUnit.SECONDS);
        LOG.info("berth/wireguard: host {}, public key {}, backend {} ({}), underlay {} ({}, mtu {})", hostId,
                keys.publicKey().base64(), backend.backend(), backend.reason(), underlay.device(),
                underlay.address().getHostAddress(), underlay.mtu());
        return driver;
    }

    /** How long a rotation waits for the peer hosts' acks (announce, then commit) before going on without them. */
    static final Duration ROTATE_ACK_TIMEOUT = Duration.ofSeconds(10);

    /** "24h", "30m", "90s", "2d"; empty or "off" = null (no periodic rotation). At least one minute. */
    static Duration duration(String spec, String name) {
        String v = spec.trim().toLowerCase(java.util.Locale.ROOT);
        if (v.isEmpty() || v.equals("off") || v.equals("0")) {
            return null;
        }
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d+)([smhd])").matcher(v);
        if (!m.matches()) {
            throw new IllegalArgumentException(name + " must be a number and a unit s|m|h|d (such as 24h) or off: "
                    + spec);
        }
        long n = Long.parseLong(m.group(1));
        Duration d = switch (m.group(2)) {
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofDays(n);
        };
        if (d.compareTo(Duration.ofMinutes(1)) < 0) {
            throw new IllegalArgumentException(name + " " + spec + " is shorter than a minute");
        }
        return d;
    }

    /** "LOW-HIGH" or one port. */
    static int[] ports(String spec) {
        try {
            String[] p = spec.trim().split("-");
            int low = Integer.parseInt(p[0].trim());
            int high = p.length > 1 ? Integer.parseInt(p[1].trim()) : low;
            return new int[] {low, high};
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("BERTH_WG_PORTS must be LOW-HIGH, such as 51820-52819: " + spec, e);
        }
    }

    private static boolean canBind(int port) {
        try (DatagramSocket s = new DatagramSocket(port)) {
            return true;
        } catch (SocketException e) {
            return false;
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
