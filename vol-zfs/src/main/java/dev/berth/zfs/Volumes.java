package dev.berth.zfs;

import dev.berth.host.error.BadRequestException;
import dev.berth.host.error.BerthException;
import dev.berth.host.error.ConflictException;
import dev.berth.host.error.InternalException;
import dev.berth.host.error.NotFoundException;
import dev.berth.host.error.UnavailableException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Berth volumes as ZFS datasets directly under one parent ({@code tank/berth/web}), with every piece of state in
 * ZFS itself: {@code berth:managed=1} marks a dataset as a Berth volume (nothing else is ever listed, mounted or
 * destroyed), {@link MountCounts} records who has it mounted, {@link SnapshotPolicy} its schedule. Datasets are created
 * {@code canmount=noauto}: mounted on the first Mount, unmounted when the last mount ID is gone.
 *
 * <p>Calls on one volume are serialized by a lock per name (Docker mounts one volume from many containers at once);
 * calls on different volumes run in parallel. Used by the plugin and by the {@code berth volume snapshot} command;
 * snapshots are {@link Snapshots}'.
 */
public final class Volumes {
    private static final Logger LOG = LoggerFactory.getLogger(Volumes.class);
    static final String MANAGED = "berth:managed";
    private static final int BUSY_ATTEMPTS = 8;

    private final Zfs zfs;
    private final String parent;
    private final Clock clock;
    private final Duration busyPause;
    private final ConcurrentHashMap<String, ReentrantLock> locks = new ConcurrentHashMap<>();
    private final Snapshots snapshots = new Snapshots(this);

    public Volumes(Zfs zfs, String parent, Clock clock) {
        this(zfs, parent, clock, Duration.ofMillis(250));
    }

    Volumes(Zfs zfs, String parent, Clock clock, Duration busyPause) {
        if (parent == null || parent.isBlank() || parent.startsWith("/") || parent.endsWith("/")
                || parent.contains("@")) {
            throw new IllegalArgumentException("the parent dataset must be a ZFS name such as tank/berth, not '"
                    + parent + "'");
        }
        this.zfs = zfs;
        this.parent = parent;
        this.clock = clock;
        this.busyPause = busyPause;
    }

    public String parent() {
        return parent;
    }

    public Zfs zfs() {
        return zfs;
    }

    /** Snapshots, clones, rollbacks and schedules of these volumes. */
    public Snapshots snapshots() {
        return snapshots;
    }

    Clock clock() {
        return clock;
    }

    /** Creates the parent dataset (and its ancestors) when it is missing; the pool must exist. */
    public void ensureParent() {
        call("preparing " + parent, () -> {
            if (!zfs.exists(parent)) {
                zfs.create(parent, Map.of(), true);
                LOG.info("created parent dataset {}", parent);
            }
            return null;
        });
    }

    String dataset(String volume) {
        return parent + "/" + volume;
    }

    // ---- lifecycle -------------------------------------------------------------------------------------------------

    /** Creates a volume; creating an existing Berth volume again changes nothing (Docker may ask twice). */
    public void create(String name, CreateOptions options) {
        Names.volume(name);
        String ds = dataset(name);
        locked(name, () -> call("creating volume " + name, () -> {
            if (zfs.exists(ds)) {
                if (!isManaged(zfs.localUserProperties(ds))) {
                    throw new ConflictException("dataset " + ds + " exists and is not a Berth volume: choose another name");
                }
                return null;
            }
            Map<String, String> props = new LinkedHashMap<>(options.zfsProperties());
            props.put("canmount", "noauto");
            props.put(MANAGED, "1");
            if (options.policy() != null) {
                props.put(SnapshotPolicy.EVERY, Long.toString(options.policy().every().toSeconds()));
                props.put(SnapshotPolicy.KEEP, Integer.toString(options.policy().keep()));
            }
            if (options.origin() != null) {
                String source = options.originVolume();
                requireManaged(source);
                String snap = dataset(source) + "@" + options.originSnapshot();
                if (!zfs.exists(snap)) {
                    throw new NotFoundException("volume " + source + " has no snapshot " + options.originSnapshot());
                }
                zfs.clone(snap, ds, props);
            } else {
                zfs.create(ds, props, false);
            }
            if (options.setsOwnership()) {
                try {
                    setOwnership(ds, options);
                } catch (RuntimeException e) {
                    String rollback = rollbackCreate(ds);
                    throw new InternalException("volume " + name + ": could not set owner and mode of its root ("
                            + e.getMessage() + "); " + rollback, e);
                }
            }
            LOG.info("created volume {} ({}{})", name, ds, options.origin() == null ? "" : " from " + options.origin());
            return null;
        }));
    }

    /**
     * Destroys a volume with its snapshots. Refuses one that is mounted; retries while ZFS says the dataset is busy.
     * Removing a volume that does not exist succeeds (Docker may ask again after a failure).
     */
    public void remove(String name) {
        Names.volume(name);
        String ds = dataset(name);
        locked(name, () -> call("removing volume " + name, () -> {
            if (!zfs.exists(ds)) {
                return null;
            }
            Map<String, String> user = zfs.localUserProperties(ds);
            if (!isManaged(user)) {
                throw new ConflictException("dataset " + ds + " is not a Berth volume: it is never destroyed by Berth");
            }
            Map<String, MountCounts.Entry> mounts = MountCounts.read(user);
            long total = MountCounts.total(mounts);
            if (total > 0) {
                throw new ConflictException("volume " + name + " is mounted (" + total + " mount(s), IDs "
                        + abbreviate(mounts.keySet()) + "): stop the containers using it first");
            }
            retryBusy("unmounting " + ds, () -> zfs.unmount(ds));
            try {
                retryBusy("destroying " + ds, () -> zfs.destroy(ds, true));
            } catch (ZfsException e) {
                if (e.kind() == ZfsException.Kind.DEPENDENT) {
                    throw new ConflictException("volume " + name + " has snapshots that other volumes were cloned from ("
                            + String.join(", ", clonesOf(ds)) + "): remove those volumes first", e);
                }
                throw e;
            }
            LOG.info("removed volume {}", name);
            return null;
        }));
    }

    /** Counts the mount ID and mounts the dataset if this is its first user; returns where it is mounted. */
    public String mount(String name, String id) {
        Names.volume(name);
        String ds = dataset(name);
        return locked(name, () -> call("mounting volume " + name, () -> {
            Map<String, MountCounts.Entry> mounts = MountCounts.read(requireManaged(name));
            Map<String, String> v = zfs.get(ds, List.of("mounted", "mountpoint"));
            if (!"yes".equals(v.get("mounted"))) {
                zfs.mount(ds);
            }
            MountCounts.Entry e = mounts.get(id);
            zfs.set(ds, MountCounts.property(id),
                    new MountCounts.Entry(e == null ? 1 : e.count() + 1, clock.instant()).encode());
            return v.get("mountpoint");
        }));
    }

    /** Uncounts the mount ID; the last one out unmounts the dataset. An unknown ID changes no count. */
    public void unmount(String name, String id) {
        Names.volume(name);
        String ds = dataset(name);
        locked(name, () -> call("unmounting volume " + name, () -> {
            Map<String, MountCounts.Entry> mounts = MountCounts.read(requireManaged(name));
            MountCounts.Entry e = mounts.remove(id);
            if (e == null) {
                LOG.info("unmount of {} by unknown mount ID {} (already counted out)", name, id);
            } else if (e.count() > 1) {
                mounts.put(id, new MountCounts.Entry(e.count() - 1, e.lastMount()));
                zfs.set(ds, MountCounts.property(id), mounts.get(id).encode());
            } else {
                zfs.inherit(ds, MountCounts.property(id));
            }
            if (MountCounts.total(mounts) == 0) {
                unmountQuietly(ds);
            }
            return null;
        }));
    }

    /** The mount IDs and their counts. */
    public Map<String, Long> mounts(String name) {
        Map<String, Long> out = new LinkedHashMap<>();
        MountCounts.read(requireManaged(Names.volume(name))).forEach((k, v) -> out.put(k, v.count()));
        return out;
    }

    /** One volume, or not found. */
    public VolumeInfo info(String name) {
        Names.volume(name);
        String ds = dataset(name);
        return call("reading volume " + name, () -> {
            Map<String, String> user = requireManaged(name);
            Map<String, String> p = zfs.get(ds, List.of("mounted", "mountpoint", "creation", "used", "available",
                    "refquota", "refreservation", "compression", "origin"));
            Map<String, Object> status = new LinkedHashMap<>();
            status.put("dataset", ds);
            status.put("size", "0".equals(p.get("refquota")) ? "none" : p.get("refquota"));
            status.put("reservation", p.get("refreservation"));
            status.put("used", p.get("used"));
            status.put("available", p.get("available"));
            status.put("compression", p.get("compression"));
            status.put("mounts", MountCounts.total(MountCounts.read(user)));
            String origin = p.get("origin");
            if (origin != null && origin.startsWith(parent + "/")) {
                status.put("origin", origin.substring(parent.length() + 1));
            }
            SnapshotPolicy policy = SnapshotPolicy.from(user);
            if (policy != null) {
                status.put("snapshots", policy.toString());
            }
            return new VolumeInfo(name, ds, p.get("mountpoint"), "yes".equals(p.get("mounted")),
                    Instant.ofEpochSecond(parseLong(p.get("creation"))), status);
        });
    }

    /** Every Berth volume under the parent, with where it is mounted. */
    public List<VolumeInfo> list() {
        return call("listing volumes", () -> {
            List<VolumeInfo> out = new ArrayList<>();
            for (Map<String, String> row : zfs.children(parent, List.of(MANAGED, "mounted", "mountpoint"))) {
                if ("1".equals(row.get(MANAGED))) {
                    String ds = row.get("name");
                    out.add(new VolumeInfo(ds.substring(parent.length() + 1), ds, row.get("mountpoint"),
                            "yes".equals(row.get("mounted")), null, Map.of()));
                }
            }
            return out;
        });
    }

    // ---- background ------------------------------------------------------------------------------------------------

    /**
     * After a daemon restart Docker may never send Unmount: mount IDs of a volume that no running container uses are
     * cleared once older than {@code grace} (a container still starting is never touched), and a volume left with no
     * mounts is unmounted. A volume some container uses keeps its counts: Docker's API does not show mount IDs.
     *
     * @param inUse the volumes running containers use, as Docker says
     * @return the number of mount IDs cleared
     */
    public int reconcile(Set<String> inUse, Duration grace) {
        int cleared = 0;
        Instant cutoff = clock.instant().minus(grace);
        for (VolumeInfo v : list()) {
            if (inUse.contains(v.name())) {
                continue;
            }
            cleared += locked(v.name(), () -> call("reconciling volume " + v.name(), () -> {
                if (!zfs.exists(v.dataset())) {
                    return 0;
                }
                Map<String, MountCounts.Entry> mounts = MountCounts.read(zfs.localUserProperties(v.dataset()));
                int n = 0;
                for (Map.Entry<String, MountCounts.Entry> e : new ArrayList<>(mounts.entrySet())) {
                    if (e.getValue().lastMount().isBefore(cutoff)) {
                        zfs.inherit(v.dataset(), MountCounts.property(e.getKey()));
                        mounts.remove(e.getKey());
                        n++;
                    }
                }
                if (n > 0) {
                    LOG.info("volume {}: cleared {} mount ID(s) no running container holds", v.name(), n);
                }
                if (mounts.isEmpty() && "yes".equals(zfs.get(v.dataset(), List.of("mounted")).get("mounted"))) {
                    unmountQuietly(v.dataset());
                }
                return n;
            }));
        }
        return cleared;
    }

    // ---- helpers ---------------------------------------------------------------------------------------------------

    Map<String, String> requireManaged(String volume) {
        String ds = dataset(volume);
        Map<String, String> user;
        try {
            user = zfs.localUserProperties(ds);
        } catch (ZfsException e) {
            if (e.kind() == ZfsException.Kind.NOT_FOUND) {
                throw new NotFoundException("no such volume: " + volume);
            }
            throw e;
        }
        if (!isManaged(user)) {
            throw new NotFoundException("no such volume: " + volume + " (dataset " + ds + " is not a Berth volume)");
        }
        return user;
    }

    void requireSnapshot(String volume, String snapshot) {
        if (!zfs.exists(dataset(volume) + "@" + snapshot)) {
            throw new NotFoundException("volume " + volume + " has no snapshot " + snapshot);
        }
    }

    private static boolean isManaged(Map<String, String> user) {
        return "1".equals(user.get(MANAGED));
    }

    /** The Berth volumes cloned from snapshots of {@code ds}. */
    List<String> clonesOf(String ds) {
        List<String> out = new ArrayList<>();
        try {
            for (Map<String, String> row : zfs.children(parent, List.of("origin"))) {
                String origin = row.getOrDefault("origin", "-");
                if (origin.startsWith(ds + "@")) {
                    out.add(row.get("name").substring(parent.length() + 1) + " from " + origin.substring(ds.length() + 1));
                }
            }
        } catch (ZfsException e) {
            out.add("(could not list: " + e.getMessage() + ")");
        }
        return out;
    }

    private void setOwnership(String ds, CreateOptions options) {
        zfs.mount(ds);
        try {
            Path root = Path.of(zfs.get(ds, List.of("mountpoint")).get("mountpoint"));
            // the mode first, while root owns the directory: then CAP_CHOWN is the only privilege needed
            if (options.mode() != null) {
                Files.setPosixFilePermissions(root, permissions(options.mode()));
            }
            if (options.uid() != null) {
                Files.setAttribute(root, "unix:uid", options.uid());
            }
            if (options.gid() != null) {
                Files.setAttribute(root, "unix:gid", options.gid());
            }
        } catch (IOException | UnsupportedOperationException e) {
            throw new IllegalStateException(e.toString(), e);
        } finally {
            unmountQuietly(ds);
        }
    }

    static Set<PosixFilePermission> permissions(int mode) {
        Set<PosixFilePermission> out = EnumSet.noneOf(PosixFilePermission.class);
        PosixFilePermission[] order = {PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE,
            PosixFilePermission.OTHERS_READ, PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE,
            PosixFilePermission.GROUP_READ, PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE,
            PosixFilePermission.OWNER_READ};
        for (int i = 0; i < order.length; i++) {
            if ((mode & (1 << i)) != 0) {
                out.add(order[i]);
            }
        }
        return out;
    }

    private String rollbackCreate(String ds) {
        try {
            retryBusy("destroying " + ds, () -> zfs.destroy(ds, true));
            return "the new dataset was destroyed again";
        } catch (RuntimeException e) {
            return "and destroying the new dataset failed too (" + e.getMessage() + "): destroy " + ds + " by hand";
        }
    }

    private void unmountQuietly(String ds) {
        try {
            retryBusy("unmounting " + ds, () -> zfs.unmount(ds));
        } catch (ZfsException e) {
            LOG.warn("{} stays mounted for now ({}); reconciliation tries again", ds, e.getMessage());
        }
    }

    /** Runs a ZFS step again while it answers BUSY, pausing longer each time (about 15 s in all by default). */
    void retryBusy(String what, Runnable step) {
        Duration pause = busyPause;
        for (int attempt = 1; ; attempt++) {
            try {
                step.run();
                return;
            } catch (ZfsException e) {
                if (e.kind() != ZfsException.Kind.BUSY || attempt >= BUSY_ATTEMPTS) {
                    throw e;
                }
                LOG.info("{}: busy, attempt {} of {}", what, attempt, BUSY_ATTEMPTS);
                sleep(pause);
                pause = pause.multipliedBy(2).compareTo(Duration.ofSeconds(4)) > 0 ? Duration.ofSeconds(4)
                        : pause.multipliedBy(2);
            }
        }
    }

    <T> T locked(String name, Supplier<T> body) {
        ReentrantLock lock = locks.computeIfAbsent(name, k -> new ReentrantLock());
        lock.lock();
        try {
            return body.get();
        } finally {
            lock.unlock();
        }
    }

    /** Turns ZFS failures into the plugin's error family, saying what was being done. */
    static <T> T call(String what, Supplier<T> body) {
        try {
            return body.get();
        } catch (BerthException e) {
            throw e;
        } catch (ZfsException e) {
            String msg = what + ": " + e.getMessage();
            throw switch (e.kind()) {
                case NOT_FOUND -> new NotFoundException(msg);
                case EXISTS, BUSY, DEPENDENT -> new ConflictException(msg, e);
                case INVALID -> new BadRequestException(msg);
                case UNAVAILABLE -> new UnavailableException(msg, e);
                default -> new InternalException(msg, e);
            };
        }
    }

    private static String abbreviate(Iterable<String> ids) {
        List<String> out = new ArrayList<>();
        for (String id : ids) {
            out.add(id.length() > 12 ? id.substring(0, 12) : id);
        }
        return String.join(", ", out);
    }

    private static long parseLong(String v) {
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException | NullPointerException e) {
            return 0;
        }
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UnavailableException("interrupted", e);
        }
    }
}
