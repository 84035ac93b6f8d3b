package dev.berth.zfs;

import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The plugin's one background thread: reconciles mount counts with the containers Docker runs (first a few seconds
 * after start, when the daemon that started us serves its API, then every {@code reconcileEvery}) and takes the
 * scheduled snapshots (every {@code scheduleEvery}).
 */
public final class Background implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Background.class);
    private final Volumes volumes;
    private final DockerMounts docker;
    private final Duration grace;
    private final ScheduledExecutorService thread;

    private Background(Volumes volumes, DockerMounts docker, Duration grace, ScheduledExecutorService thread) {
        this.volumes = volumes;
        this.docker = docker;
        this.grace = grace;
        this.thread = thread;
    }

    /** Nothing in the background (tests, the command line). */
    public static Background none(Volumes volumes) {
        return new Background(volumes, DockerMounts.NONE, Duration.ZERO, null);
    }

    public static Background start(Volumes volumes, DockerMounts docker, Duration reconcileEvery, Duration grace,
                                   Duration scheduleEvery) {
        ScheduledExecutorService t = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread th = new Thread(r, "berth-zfs-background");
            th.setDaemon(true);
            return th;
        });
        Background b = new Background(volumes, docker, grace, t);
        if (!reconcileEvery.isZero()) {
            t.scheduleWithFixedDelay(b::reconcileOnce, 3_000, reconcileEvery.toMillis(), TimeUnit.MILLISECONDS);
        }
        if (!scheduleEvery.isZero()) {
            t.scheduleWithFixedDelay(b::scheduleOnce, scheduleEvery.toMillis(), scheduleEvery.toMillis(),
                    TimeUnit.MILLISECONDS);
        }
        return b;
    }

    /** One reconciliation pass; returns the mount IDs cleared (0 when Docker did not answer). */
    int reconcileOnce() {
        try {
            Optional<Set<String>> inUse = docker.volumesInUse();
            return inUse.map(used -> volumes.reconcile(used, grace)).orElse(0);
        } catch (RuntimeException e) {
            LOG.warn("reconciliation failed: {}", e.getMessage());
            return 0;
        }
    }

    void scheduleOnce() {
        try {
            volumes.snapshots().runSchedules();
        } catch (RuntimeException e) {
            LOG.warn("snapshot schedule failed: {}", e.getMessage());
        }
    }

    @Override
    public void close() {
        if (thread != null) {
            thread.shutdownNow();
        }
        docker.close();
    }
}
