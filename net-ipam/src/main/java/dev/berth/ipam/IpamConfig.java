package dev.berth.ipam;

import dev.berth.host.Env;
import dev.berth.kv.HostIdentity;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * The IPAM plugin's settings, from {@code BERTH_*} environment variables (settable with {@code docker plugin set}).
 * Example: {@code BERTH_KV=etcd://10.0.0.5:2379/berth BERTH_IPAM_DEFAULT_POOLS=10.192.0.0/12:24}.
 *
 * @param clusterStore     BERTH_KV: the cluster store for the global space; empty = the embedded store (one host)
 * @param localStore       BERTH_IPAM_LOCAL_STORE: this host's store for the local space
 * @param hostIdFile       BERTH_HOST_ID_FILE: where this host's stable ID is kept
 * @param defaults         BERTH_IPAM_DEFAULT_POOLS: ranges for automatic pools
 * @param quarantine       BERTH_IPAM_QUARANTINE_SECONDS: how long a released address rests before reuse
 * @param requiresMac      BERTH_IPAM_REQUIRE_MAC: ask Docker for the endpoint's MAC with each address
 * @param procNet          BERTH_PROC_NET: where the host's routing tables are read
 * @param dockerSocket     BERTH_DOCKER_SOCKET: this host's Docker API, for reconciliation (empty: no reconciliation)
 * @param reconcileEvery   BERTH_IPAM_RECONCILE_SECONDS: how often allocations are checked against Docker
 * @param orphanGrace      BERTH_IPAM_ORPHAN_GRACE_SECONDS: how old an allocation no endpoint uses must be to be reclaimed
 * @param deadHostGrace    BERTH_IPAM_DEAD_HOST_GRACE_SECONDS: how long a host may be gone before its holds are reclaimed
 */
public record IpamConfig(String clusterStore, String localStore, Path hostIdFile, DefaultPools defaults,
                         Duration quarantine, boolean requiresMac, Path procNet, String dockerSocket,
                         Duration reconcileEvery, Duration orphanGrace, Duration deadHostGrace) {
    public static final String LOCAL_STORE = "embedded:///var/lib/berth/kv";

    public static IpamConfig fromEnv(Map<String, String> env) {
        return new IpamConfig(
                env.getOrDefault("BERTH_KV", ""),
                Env.text(env, "BERTH_IPAM_LOCAL_STORE", LOCAL_STORE),
                Path.of(Env.text(env, "BERTH_HOST_ID_FILE", HostIdentity.DEFAULT_FILE.toString())),
                DefaultPools.parse(Env.text(env, "BERTH_IPAM_DEFAULT_POOLS", DefaultPools.DEFAULT)),
                Env.seconds(env, "BERTH_IPAM_QUARANTINE_SECONDS", 60),
                Env.bool(env, "BERTH_IPAM_REQUIRE_MAC", true),
                Path.of(Env.text(env, "BERTH_PROC_NET", "/proc/net")),
                env.getOrDefault("BERTH_DOCKER_SOCKET", "/run/docker.sock"),
                Env.seconds(env, "BERTH_IPAM_RECONCILE_SECONDS", 30),
                Env.seconds(env, "BERTH_IPAM_ORPHAN_GRACE_SECONDS", 120),
                Env.seconds(env, "BERTH_IPAM_DEAD_HOST_GRACE_SECONDS", 600));
    }

    /** Whether the global space has a store of its own (else it shares the local one: a single host). */
    public boolean clustered() {
        return !clusterStore.isBlank() && !clusterStore.equals(localStore);
    }
}
