package dev.berth.migrate.agent;

import dev.berth.docker.DockerApi;
import dev.berth.kv.HostIdentity;
import dev.berth.kv.KvStore;
import dev.berth.kv.KvStores;
import dev.berth.kv.Lease;
import dev.berth.kv.PrefixView;
import dev.berth.migrate.precopy.RoundPolicy;
import dev.berth.migrate.tls.AgentIdentity;
import dev.berth.migrate.tls.PinnedPeers;
import dev.berth.migrate.tls.SecureChannel;
import dev.berth.migrate.zfs.ZfsStreams;
import dev.berth.zfs.Zfs;
import dev.berth.zfs.ZfsCli;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code berth/migrate} service: one migration agent per host, in its own container (host network, this
 * host's Docker API, the zfs command and its daemon's socket). Settings: {@code BERTH_KV} (the cluster store: the
 * agents find and trust each other there), {@code BERTH_ZFS_PARENT} (berth/zfs's volumes' parent),
 * {@code BERTH_MIGRATE_ADDRESS} (the address other agents reach this one by; empty = the address of the device of
 * the default route), {@code BERTH_MIGRATE_PORT} (default 7472), {@code BERTH_MIGRATE_DIR} (default
 * /var/lib/berth/migrate: the TLS identity, root-only, and {@code agent.sock}), {@code BERTH_DOCKER_SOCKET},
 * {@code BERTH_ZFS_BINARY}, {@code BERTH_ZFS_DRIVER_NAME} (default berth/zfs), {@code BERTH_HOST_ID_FILE},
 * {@code BERTH_MIGRATE_STALL_SECONDS} (default 60: a transfer that moves nothing for so long is cut).
 */
public final class AgentMain {
    private static final Logger LOG = LoggerFactory.getLogger(AgentMain.class);

    private AgentMain() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> env = System.getenv();
        String hostId = HostIdentity.load(Path.of(env.getOrDefault("BERTH_HOST_ID_FILE", "/var/lib/berth/host-id")));
        String kv = env.getOrDefault("BERTH_KV", "");
        String parent = env.getOrDefault("BERTH_ZFS_PARENT", "");
        if (parent.isBlank()) {
            throw new IllegalArgumentException("BERTH_ZFS_PARENT is required (berth/zfs's parent, such as tank/berth)");
        }
        Path dir = Path.of(env.getOrDefault("BERTH_MIGRATE_DIR", "/var/lib/berth/migrate"));
        Files.createDirectories(dir);
        KvStore store = KvStores.open(kv.isBlank() ? "embedded:///var/lib/berth/migrate/kv" : kv);
        String zfsBinary = env.getOrDefault("BERTH_ZFS_BINARY", "zfs");
        Zfs zfs = new ZfsCli(zfsBinary, Duration.ofMinutes(2));
        ZfsStreams streams = new ZfsStreams(zfsBinary, Duration.ofMinutes(2), Duration.ofMinutes(10));
        DockerApi docker = DockerApi.connect(Path.of(env.getOrDefault("BERTH_DOCKER_SOCKET", "/run/docker.sock")),
                Duration.ofSeconds(30));
        AgentIdentity identity = AgentIdentity.loadOrCreate(dir.resolve("identity"), hostId);
        PinnedPeers pins = new PinnedPeers();
        AgentDirectory directory = new AgentDirectory(store);
        PrefixView.start(store, AgentDirectory.PREFIX, changes -> {
            try {
                directory.pinAll(pins);
            } catch (RuntimeException e) {
                LOG.warn("pinning the agents' certificates: {}", e.getMessage());
            }
        });
        directory.pinAll(pins);
        SecureChannel channel = new SecureChannel(identity, pins);
        SourceMigration.Context cx = new SourceMigration.Context(hostId, docker, zfs, streams, parent, channel, pins,
                directory, store, RoundPolicy.standard(), env.getOrDefault("BERTH_ZFS_DRIVER_NAME", "berth/zfs"),
                Duration.ofSeconds(Long.parseLong(env.getOrDefault("BERTH_MIGRATE_STALL_SECONDS", "60").trim())),
                dir.resolve("journal"));
        TargetService target = new TargetService(hostId, docker, zfs, streams, parent,
                TargetService.stagingFor(parent), cx.stall());
        int port = Integer.parseInt(env.getOrDefault("BERTH_MIGRATE_PORT", "7472").trim());
        String address = env.getOrDefault("BERTH_MIGRATE_ADDRESS", "").trim();
        InetAddress bind = address.isEmpty() ? defaultRouteAddress() : InetAddress.getByName(address);
        Agent agent = new Agent(cx, target, new InetSocketAddress(bind, port));
        LocalApi api = new LocalApi(dir.resolve("agent.sock"), agent);
        api.start();
        AgentDirectory.Agent record = new AgentDirectory.Agent(hostId, bind.getHostAddress(), agent.port(),
                identity.certificatePem());
        LOG.info("berth/migrate: host {} at {}:{}, volumes under {}, certificate {}", hostId,
                bind.getHostAddress(), agent.port(), parent, identity.fingerprint());
        Thread recovery = new Thread(agent::recover, "berth-migrate-recovery");
        recovery.setDaemon(true);
        recovery.start();
        Lease lease = null;
        while (true) {
            try {
                if (lease == null || !lease.isAlive()) {
                    lease = store.grantLease(Duration.ofSeconds(10));
                    directory.publish(record, lease);
                    LOG.info("published {}{}", AgentDirectory.PREFIX, hostId);
                }
            } catch (RuntimeException e) {
                LOG.warn("the store is unreachable ({}); publishing again when it is back", e.getMessage());
                lease = null;
            }
            Thread.sleep(2_000);
        }
    }

    /** The IPv4 address of the device the default route leaves by ({@code /proc/net/route}). */
    static InetAddress defaultRouteAddress() throws IOException {
        List<String> lines = Files.readAllLines(Path.of("/proc/net/route"));
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.trim().split("\\s+");
            if (f.length > 2 && f[1].equals("00000000")) {
                NetworkInterface nic = NetworkInterface.getByName(f[0]);
                if (nic != null) {
                    for (InetAddress a : java.util.Collections.list(nic.getInetAddresses())) {
                        if (a instanceof Inet4Address) {
                            return a;
                        }
                    }
                }
            }
        }
        throw new IllegalStateException("no default route with an IPv4 address: set BERTH_MIGRATE_ADDRESS");
    }
}
