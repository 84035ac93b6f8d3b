package dev.berth.zfs;

import dev.berth.host.error.ConflictException;
import dev.berth.host.error.InternalException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Snapshots of Berth volumes ({@code dataset@name}): take, list, roll back, delete, clone into a new volume, and the
 * per-volume schedules ({@link SnapshotPolicy}). Rollback and deletion refuse, with the names, what ZFS would refuse
 * (clones that depend on a snapshot) and what would surprise (rolling back under running containers).
 */
public final class Snapshots {
    private static final Logger LOG = LoggerFactory.getLogger(Snapshots.class);
    static final String AUTO_PREFIX = "auto-";
    private final Volumes volumes;

    Snapshots(Volumes volumes) {
        this.volumes = volumes;
    }

    private Zfs zfs() {
        return volumes.zfs();
    }

    /** Takes a snapshot of a volume. */
    public Zfs.Snapshot take(String volume, String snapshot) {
        Names.snapshot(snapshot);
        String ds = volumes.dataset(Names.volume(volume));
        return Volumes.call("snapshotting volume " + volume, () -> {
            volumes.requireManaged(volume);
            zfs().snapshot(ds + "@" + snapshot, Map.of());
            return zfs().snapshots(ds).stream().filter(s -> s.shortName().equals(snapshot)).findFirst()
                    .orElseThrow(() -> new InternalException("snapshot " + ds + "@" + snapshot + " vanished", null));
        });
    }

    /** A volume's snapshots, oldest first. */
    public List<Zfs.Snapshot> list(String volume) {
        String ds = volumes.dataset(Names.volume(volume));
        return Volumes.call("listing snapshots of " + volume, () -> {
            volumes.requireManaged(volume);
            return zfs().snapshots(ds);
        });
    }

    /**
     * Rolls a volume back to a snapshot, destroying later snapshots. Refused while containers have the volume mounted
     * (their files would change under them) unless {@code force}.
     */
    public void rollback(String volume, String snapshot, boolean force) {
        Names.snapshot(snapshot);
        String ds = volumes.dataset(Names.volume(volume));
        volumes.locked(volume, () -> Volumes.call("rolling back volume " + volume, () -> {
            long total = MountCounts.total(MountCounts.read(volumes.requireManaged(volume)));
            if (total > 0 && !force) {
                throw new ConflictException("volume " + volume + " is mounted (" + total + " mount(s)): stop the "
                        + "containers using it, or roll back with --force");
            }
            volumes.requireSnapshot(volume, snapshot);
            try {
                zfs().rollback(ds + "@" + snapshot);
            } catch (ZfsException e) {
                if (e.kind() == ZfsException.Kind.DEPENDENT) {
                    throw new ConflictException("a later snapshot of " + volume + " has clones ("
                            + String.join(", ", volumes.clonesOf(ds)) + "): remove them first", e);
                }
                throw e;
            }
            LOG.info("rolled back volume {} to {}", volume, snapshot);
            return null;
        }));
    }

    /** Deletes one snapshot; refused while a volume was cloned from it. */
    public void delete(String volume, String snapshot) {
        Names.snapshot(snapshot);
        String ds = volumes.dataset(Names.volume(volume));
        Volumes.call("deleting snapshot " + volume + "@" + snapshot, () -> {
            volumes.requireManaged(volume);
            volumes.requireSnapshot(volume, snapshot);
            try {
                volumes.retryBusy("destroying " + ds + "@" + snapshot, () -> zfs().destroy(ds + "@" + snapshot, false));
            } catch (ZfsException e) {
                if (e.kind() == ZfsException.Kind.DEPENDENT) {
                    throw new ConflictException("snapshot " + volume + "@" + snapshot + " has clones ("
                            + String.join(", ", volumes.clonesOf(ds)) + "): remove them first", e);
                }
                throw e;
            }
            return null;
        });
    }

    /** A new volume cloned from a snapshot: the same as {@code docker volume create -o from-snapshot=V@S}. */
    public void cloneTo(String volume, String snapshot, String newVolume, Map<String, String> options) {
        Map<String, String> opts = new LinkedHashMap<>(options);
        opts.put("from-snapshot", volume + "@" + snapshot);
        volumes.create(newVolume, CreateOptions.parse(opts, zfs().flavor()));
    }

    /**
     * Takes the scheduled snapshots that are due ({@code auto-YYYYMMDDTHHMMSSZ}) and deletes the oldest {@code auto-}
     * snapshots beyond each volume's {@code keep}. Snapshots made by hand are never deleted by the schedule.
     *
     * @return the number of snapshots taken
     */
    public int runSchedules() {
        int taken = 0;
        Instant now = volumes.clock().instant();
        List<Map<String, String>> rows = Volumes.call("listing schedules", () -> zfs().children(volumes.parent(),
                List.of(Volumes.MANAGED, SnapshotPolicy.EVERY, SnapshotPolicy.KEEP)));
        for (Map<String, String> row : rows) {
            if (!"1".equals(row.get(Volumes.MANAGED))) {
                continue;
            }
            SnapshotPolicy policy = SnapshotPolicy.from(row);
            if (policy == null) {
                continue;
            }
            String ds = row.get("name");
            try {
                List<Zfs.Snapshot> autos = new ArrayList<>(zfs().snapshots(ds).stream()
                        .filter(s -> s.shortName().startsWith(AUTO_PREFIX)).toList());
                long last = autos.isEmpty() ? Long.MIN_VALUE : autos.get(autos.size() - 1).creation();
                if (autos.isEmpty() || now.getEpochSecond() - last >= policy.every().toSeconds()) {
                    String snap = ds + "@" + autoName(now);
                    if (!zfs().exists(snap)) {
                        zfs().snapshot(snap, Map.of());
                        autos = new ArrayList<>(zfs().snapshots(ds).stream()
                                .filter(s -> s.shortName().startsWith(AUTO_PREFIX)).toList());
                        taken++;
                    }
                }
                while (autos.size() > policy.keep()) {
                    Zfs.Snapshot oldest = autos.remove(0);
                    try {
                        zfs().destroy(oldest.name(), false);
                    } catch (ZfsException e) {
                        LOG.warn("schedule of {}: cannot delete {}: {}", ds, oldest.name(), e.getMessage());
                    }
                }
            } catch (ZfsException e) {
                LOG.warn("schedule of {} failed: {}", ds, e.getMessage());
            }
        }
        return taken;
    }

    static String autoName(Instant at) {
        return AUTO_PREFIX + java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
                .withZone(java.time.ZoneOffset.UTC).format(at);
    }
}
