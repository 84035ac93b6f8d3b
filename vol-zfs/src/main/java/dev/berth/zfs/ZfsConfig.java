package dev.berth.zfs;

import dev.berth.host.Env;
import java.time.Duration;
import java.util.Map;

/**
 * The ZFS plugin's settings, from {@code BERTH_*} environment variables. Example:
 * {@code BERTH_ZFS_PARENT=tank/berth BERTH_DOCKER_SOCKET=/run/docker.sock}.
 *
 * @param parent          BERTH_ZFS_PARENT (required): the dataset volumes are created under; it must have a
 *                        mountpoint (volumes mount below it)
 * @param zfsBinary       BERTH_ZFS_BINARY: the zfs command; default {@code zfs}
 * @param dockerSocket    BERTH_DOCKER_SOCKET: this host's Docker API for reconciliation; empty = none
 * @param driverName      BERTH_ZFS_DRIVER_NAME: the driver name containers' mounts carry; default {@code berth/zfs}
 * @param reconcileEvery  BERTH_ZFS_RECONCILE_SECONDS: default 30; 0 = never
 * @param mountGrace      BERTH_ZFS_MOUNT_GRACE_SECONDS: how old a mount ID no running container explains must be
 *                        before it is cleared; default 60
 * @param scheduleEvery   BERTH_ZFS_SCHEDULE_SECONDS: how often snapshot schedules are checked; default 60
 */
public record ZfsConfig(String parent, String zfsBinary, String dockerSocket, String driverName,
                        Duration reconcileEvery, Duration mountGrace, Duration scheduleEvery) {

    public static ZfsConfig fromEnv(Map<String, String> env) {
        String parent = env.getOrDefault("BERTH_ZFS_PARENT", "").trim();
        if (parent.isEmpty()) {
            throw new IllegalArgumentException("BERTH_ZFS_PARENT must name the parent dataset, for example tank/berth");
        }
        return new ZfsConfig(parent,
                Env.text(env, "BERTH_ZFS_BINARY", "zfs"),
                env.getOrDefault("BERTH_DOCKER_SOCKET", "/run/docker.sock").trim(),
                Env.text(env, "BERTH_ZFS_DRIVER_NAME", "berth/zfs"),
                Env.seconds(env, "BERTH_ZFS_RECONCILE_SECONDS", 30),
                Env.seconds(env, "BERTH_ZFS_MOUNT_GRACE_SECONDS", 60),
                Env.seconds(env, "BERTH_ZFS_SCHEDULE_SECONDS", 60));
    }
}
