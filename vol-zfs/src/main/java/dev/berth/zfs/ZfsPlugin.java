package dev.berth.zfs;

import dev.berth.host.PluginLauncher;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

/** The {@code berth/zfs} plugin process. Settings: {@link ZfsConfig}. */
public final class ZfsPlugin {
    private ZfsPlugin() {
    }

    public static void main(String[] args) {
        PluginLauncher.serve(config -> List.of(start(ZfsConfig.fromEnv(System.getenv()))));
    }

    /** The driver for a configuration: probes zfs, makes sure the parent exists, starts the background thread. */
    public static ZfsVolumeDriver start(ZfsConfig c) {
        ZfsCli zfs = new ZfsCli(c.zfsBinary(), Duration.ofSeconds(60));
        Volumes volumes = new Volumes(zfs, c.parent(), Clock.systemUTC());
        try {
            zfs.flavor();
            volumes.ensureParent();
        } catch (RuntimeException e) {
            // not a configuration error: zfs may come up after us; calls answer 503 until it does
            org.slf4j.LoggerFactory.getLogger(ZfsPlugin.class).warn("zfs is not ready: {}", e.getMessage());
        }
        Background bg = Background.start(volumes, DockerMounts.api(c.dockerSocket(), c.driverName()),
                c.reconcileEvery(), c.mountGrace(), c.scheduleEvery());
        return new ZfsVolumeDriver(volumes, bg);
    }
}
