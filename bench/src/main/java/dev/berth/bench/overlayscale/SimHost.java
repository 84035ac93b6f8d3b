package dev.berth.bench.overlayscale;

import dev.berth.host.PluginConfig;
import dev.berth.host.PluginHost;
import dev.berth.kv.HostIdentity;
import dev.berth.kv.KvStores;
import dev.berth.netlink.NetlinkHandle;
import dev.berth.overlay.HostLease;
import dev.berth.overlay.OverlayDriver;
import dev.berth.overlay.Underlay;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;

/**
 * One simulated Docker host, as the berth/overlay plugin process would run on it ({@code OverlayPlugin.start}), but
 * in this JVM: a netlink handle bound to the host's namespace, the host's own embedded local store and host ID, its
 * own client of the shared cluster store (counted), its own lease, and a {@link PluginHost} serving the driver on the
 * host's own unix socket.
 */
public final class SimHost implements AutoCloseable {
    public final int index;
    public final String vtep;
    public final Path socket;
    public final CountingKvStore cluster;
    public final CountingKvStore local;
    private final NetlinkHandle nl;
    private final HostLease lease;
    private final OverlayDriver driver;
    private final PluginHost server;

    private SimHost(int index, String vtep, Path socket, CountingKvStore cluster, CountingKvStore local,
                    NetlinkHandle nl, HostLease lease, OverlayDriver driver, PluginHost server) {
        this.index = index;
        this.vtep = vtep;
        this.socket = socket;
        this.cluster = cluster;
        this.local = local;
        this.nl = nl;
        this.lease = lease;
        this.driver = driver;
        this.server = server;
    }

    /** Starts host {@code i}'s driver in its namespace, with its state under {@code dir}. */
    public static SimHost start(int i, Path dir, String clusterUrl) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        NetlinkHandle nl = NetlinkHandle.open(SimUnderlay.namespaceFile(i));
        CountingKvStore cluster = null;
        CountingKvStore local = null;
        OverlayDriver driver = null;
        try {
            Underlay underlay = Underlay.find(nl, SimUnderlay.DEVICE);
            cluster = new CountingKvStore(KvStores.open(clusterUrl));
            local = new CountingKvStore(KvStores.embedded(dir.resolve("kv")));
            String hostId = HostIdentity.load(dir.resolve("host-id"));
            HostLease lease = new HostLease(cluster, hostId);
            lease.current(); // the plugin's lease watchdog has one within 2 s of start, before Docker's first endpoint
            driver = new OverlayDriver(nl, cluster, local, hostId, underlay.address(), underlay.index(),
                    underlay.mtu(), lease::current, Clock.systemUTC());
            Path socket = dir.resolve("overlay.sock");
            PluginHost server = PluginHost.builder(PluginConfig.defaults(socket).withName("berth/overlay-sim-" + i))
                    .driver(driver).healthCheck(driver).start();
            return new SimHost(i, underlay.address().getHostAddress(), socket, cluster, local, nl, lease, driver,
                    server);
        } catch (RuntimeException e) {
            closeQuietly(driver);
            closeQuietly(cluster);
            closeQuietly(local);
            nl.close();
            throw e;
        }
    }

    /** Lease replacements so far (0 unless the store ended a lease). */
    public int leasesReplaced() {
        return lease.replaced();
    }

    /** Stops serving, closes the driver's watches, revokes the lease, closes the stores and the netlink handle. */
    @Override
    public void close() {
        closeQuietly(server);
        closeQuietly(driver);
        closeQuietly(cluster);
        closeQuietly(local);
        closeQuietly(nl);
    }

    private static void closeQuietly(AutoCloseable c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (Exception e) {
            System.err.println("closing " + c.getClass().getSimpleName() + ": " + e);
        }
    }
}
