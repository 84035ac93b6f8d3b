package dev.berth.migrate.lab;

import dev.berth.exec.Command;
import dev.berth.lab.Lab;
import dev.berth.lab.LabHost;
import dev.berth.lab.LabSpec;
import dev.berth.migrate.MigrationException;
import dev.berth.migrate.agent.AgentClient;
import dev.berth.migrate.agent.MigrationStatus;
import dev.berth.migrate.zfs.ZfsFusePool;
import dev.berth.packaging.Bundle;
import dev.berth.packaging.BundleBuilder;
import dev.berth.packaging.ContainerPluginInstaller;
import dev.berth.packaging.ModuleBundles;
import dev.berth.packaging.PluginInstaller;
import dev.berth.packaging.RuntimeImage;
import dev.berth.packaging.ServiceInstaller;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Lab hosts for migrations (the lab test and the benchmark): etcd, and on each host its own zfs-fuse pool,
 * berth/ipam and berth/overlay as managed plugins, berth/zfs as its container, the migration agent as its service,
 * and one overlay network {@value #NET} ({@value #SUBNET}). Built from the modules' build output.
 */
public final class MigrationLab implements AutoCloseable {
    public static final String NET = "mignet";
    public static final String SUBNET = "10.92.0.0/24";
    private final Lab lab;
    private final List<ZfsFusePool> pools;
    private final List<LabHost> hosts;

    private MigrationLab(Lab lab, List<ZfsFusePool> pools, List<LabHost> hosts) {
        this.lab = lab;
        this.pools = pools;
        this.hosts = hosts;
    }

    /**
     * @param repo     the repository's root (the modules' build output is read from there)
     * @param work     where the bundles are built
     * @param poolMiB  each host's pool size
     * @param agentEnv extra settings of the agents
     */
    public static MigrationLab up(Path repo, Path work, int hostCount, int poolMiB, Map<String, String> agentEnv) {
        Bundle overlay = ModuleBundles.build(repo.resolve("net-overlay"), "net-overlay", work.resolve("overlay"));
        Bundle ipam = new BundleBuilder(RuntimeImage.fromBuildJdk()).buildFromInput(
                repo.resolve("net-ipam/target/plugin"), work.resolve("ipam"));
        Bundle zfs = ModuleBundles.build(repo.resolve("vol-zfs"), "target/container-plugin/lib", "vol-zfs",
                work.resolve("zfs"));
        Bundle agent = ModuleBundles.build(repo.resolve("vol-migrate"), "target/agent-plugin/lib", "vol-migrate",
                "src/main/agent/plugin.json", work.resolve("agent"));
        Lab lab = Lab.standard().reporting(System.out::println);
        List<ZfsFusePool> pools = new ArrayList<>();
        try {
            for (int i = 1; i <= hostCount; i++) {
                pools.add(ZfsFusePool.create("bmlab" + i, poolMiB));
            }
            List<LabHost> hosts = lab.up(new LabSpec(hostCount, true), (h, kv) -> {
                ZfsFusePool pool = pools.get(h.index() - 1);
                PluginInstaller installer = new PluginInstaller(h.docker());
                installer.ensure(ipam, Map.of("BERTH_KV", kv.orElseThrow(), "docker-socket.source",
                        h.dockerSocket().toString()));
                installer.ensure(overlay, Map.of("BERTH_KV", kv.orElseThrow()));
                // the lab host's copy of the pool's mount is a slave of the root namespace's; berth/zfs binds it
                // rshared, which Docker allows only from a shared mount: make it shared too (still a slave)
                long dockerd = h.processes("dockerd").stream().findFirst().orElseThrow();
                Command.of("nsenter", "-t", Long.toString(dockerd), "-m", "mount", "--make-rshared",
                        pool.mountpoint().toString()).check();
                Map<String, String> z = new LinkedHashMap<>();
                z.put("BERTH_ZFS_PARENT", pool.name() + "/berth");
                z.put("zfs-mounts.source", pool.mountpoint().toString());
                z.put("docker-socket.source", h.dockerSocket().toString());
                new ContainerPluginInstaller(h.docker()).ensure(zfs, z);
                Map<String, String> a = new LinkedHashMap<>(agentEnv);
                a.put("BERTH_KV", kv.orElseThrow());
                a.put("BERTH_ZFS_PARENT", pool.name() + "/berth");
                a.put("BERTH_MIGRATE_ADDRESS", h.underlayAddress());
                a.put("docker-socket.source", h.dockerSocket().toString());
                new ServiceInstaller(h.docker()).ensure(agent, a);
            });
            MigrationLab m = new MigrationLab(lab, pools, hosts);
            for (LabHost h : hosts) {
                await(h.name() + "'s agent answers", Duration.ofSeconds(60), () -> m.agentAnswers(h));
                h.docker().command("network", "create", "-d", "berth/overlay:latest", "--ipam-driver",
                        "berth/ipam:latest", "--ipam-opt", "berth.scope=global", "--subnet", SUBNET, NET)
                        .timeout(Duration.ofMinutes(1)).check();
            }
            return m;
        } catch (RuntimeException e) {
            lab.down();
            pools.forEach(ZfsFusePool::close);
            throw e;
        }
    }

    public List<LabHost> hosts() {
        return hosts;
    }

    public LabHost h(int i) {
        return hosts.get(i - 1);
    }

    public ZfsFusePool pool(LabHost h) {
        return pools.get(h.index() - 1);
    }

    public AgentClient client(LabHost h) {
        return new AgentClient(h.stateDir().resolve("migrate/agent.sock"));
    }

    public boolean agentAnswers(LabHost h) {
        try {
            client(h).describe();
            return true;
        } catch (MigrationException e) {
            return false;
        }
    }

    public String hostId(LabHost h) {
        try {
            return Files.readString(h.stateDir().resolve("host-id")).strip();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Follows a migration until it ends. */
    public static MigrationStatus finish(AgentClient agent, String id, Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        MigrationStatus s = agent.status(id);
        while (!s.finished()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("migration " + id + " did not finish: " + s);
            }
            Thread.sleep(200);
            s = agent.status(id);
        }
        return s;
    }

    public static void await(String what, Duration limit, java.util.function.BooleanSupplier condition) {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + limit.toSeconds() + " s: " + what);
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted: " + what);
            }
        }
    }

    @Override
    public void close() {
        try {
            lab.down();
        } finally {
            pools.forEach(ZfsFusePool::close);
        }
    }
}
