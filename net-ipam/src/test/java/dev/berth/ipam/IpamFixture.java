package dev.berth.ipam;

import dev.berth.host.ManualClock;
import dev.berth.kv.HostIdentity;
import dev.berth.host.api.ipam.ReleaseAddressRequest;
import dev.berth.host.api.ipam.ReleasePoolRequest;
import dev.berth.host.api.ipam.RequestAddressRequest;
import dev.berth.host.api.ipam.RequestPoolRequest;
import dev.berth.kv.KvStore;
import dev.berth.kv.KvStores;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Drivers over real embedded stores in a temporary directory: one cluster store shared by every "host", and a local
 * store per host. A manual clock moves quarantines and grace periods.
 */
final class IpamFixture implements AutoCloseable {
    final Path dir;
    final ManualClock clock = new ManualClock();
    final String clusterUrl;
    private final List<AutoCloseable> open = new ArrayList<>();
    Duration quarantine = Duration.ofSeconds(60);
    String defaults = DefaultPools.DEFAULT;
    Duration orphanGrace = Duration.ofSeconds(120);
    Duration deadHostGrace = Duration.ofSeconds(600);

    IpamFixture(Path dir) {
        this.dir = dir;
        this.clusterUrl = "embedded://" + dir.resolve("cluster");
        writeRoutes("Iface\tDestination\tGateway\tFlags\tRefCnt\tUse\tMetric\tMask\n");
    }

    /** A host's driver: its own host ID file and local store, the shared cluster store. */
    BerthIpam host(String name) {
        return host(name, DockerView.NONE);
    }

    BerthIpam host(String name, DockerView docker) {
        Path hostDir = dir.resolve(name);
        IpamConfig config = new IpamConfig(clusterUrl, "embedded://" + hostDir.resolve("kv"),
                hostDir.resolve("host-id"), DefaultPools.parse(defaults), quarantine, true, dir.resolve("proc"),
                "", Duration.ofHours(1), orphanGrace, deadHostGrace);
        BerthIpam ipam = IpamService.start(config, docker, clock);
        open.add(ipam);
        return ipam;
    }

    String hostId(String name) {
        return HostIdentity.load(dir.resolve(name).resolve("host-id"));
    }

    /** A direct handle on the cluster store, to look at what the drivers wrote. */
    KvStore cluster() {
        KvStore s = KvStores.open(clusterUrl);
        open.add(s);
        return s;
    }

    void writeRoutes(String ipv4Table) {
        try {
            Files.createDirectories(dir.resolve("proc"));
            Files.writeString(dir.resolve("proc/route"), ipv4Table);
            Files.writeString(dir.resolve("proc/ipv6_route"), "");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static RequestPoolRequest pool(String space, String pool, String subPool, boolean v6, Map<String, String> opts) {
        return new RequestPoolRequest(space, pool, subPool, opts, v6);
    }

    static RequestPoolRequest globalPool(String pool) {
        return pool("BerthGlobal", pool, "", false, Map.of());
    }

    static RequestAddressRequest any(String poolId) {
        return new RequestAddressRequest(poolId, "", Map.of());
    }

    static RequestAddressRequest gateway(String poolId) {
        return new RequestAddressRequest(poolId, "", Map.of(RequestAddressRequest.ADDRESS_TYPE_OPTION,
                RequestAddressRequest.GATEWAY_TYPE));
    }

    static RequestAddressRequest exactly(String poolId, String address) {
        return new RequestAddressRequest(poolId, address, Map.of());
    }

    static ReleaseAddressRequest release(String poolId, String address) {
        return new ReleaseAddressRequest(poolId, address.contains("/") ? address.substring(0, address.indexOf('/'))
                : address);
    }

    static ReleasePoolRequest releasePool(String poolId) {
        return new ReleasePoolRequest(poolId);
    }

    @Override
    public void close() {
        for (AutoCloseable c : open) {
            try {
                c.close();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
