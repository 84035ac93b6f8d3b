package dev.berth.zfs;

import java.util.List;
import java.util.Map;

/**
 * The ZFS boundary: the few verbs the driver needs, shaped like the {@code zfs} command. Dataset names are full
 * ({@code tank/berth/web}); snapshots are {@code dataset@name}. Every method throws {@link ZfsException}, whose
 * {@link ZfsException.Kind} says whether the dataset was missing, already there or busy.
 *
 * <p>Implementations: {@link ZfsCli} (the real command, OpenZFS 2.x or zfs-fuse 0.7) and a fake in the tests; both
 * pass the same contract test.
 */
public interface Zfs {
    /** Which ZFS this is, decided once by a probe. */
    ZfsFlavor flavor();

    /** Whether the dataset (or snapshot) exists. Equivalent to: {@code zfs list -H -o name NAME}. */
    boolean exists(String name);

    /** Equivalent to: {@code zfs create [-p] -o k=v ... NAME}. */
    void create(String dataset, Map<String, String> properties, boolean parents);

    /** Equivalent to: {@code zfs clone -o k=v ... SNAPSHOT DATASET}. */
    void clone(String snapshot, String dataset, Map<String, String> properties);

    /**
     * Destroys a dataset with its snapshots, or one snapshot. Equivalent to: {@code zfs destroy [-r] NAME}.
     *
     * @throws ZfsException of kind BUSY while something holds it, DEPENDENT when a clone depends on it
     */
    void destroy(String name, boolean recursive);

    /**
     * Exact values ({@code -p}: bytes, seconds) of the given properties; a property the dataset lacks maps to "-".
     * Equivalent to: {@code zfs get -H -p -o property,value P1,P2 NAME}.
     */
    Map<String, String> get(String name, List<String> properties);

    /** User properties set on this dataset itself (source local), not inherited ones. */
    Map<String, String> localUserProperties(String name);

    /** Equivalent to: {@code zfs set PROP=VALUE NAME}. */
    void set(String name, String property, String value);

    /** Removes a local property (a user property disappears). Equivalent to: {@code zfs inherit PROP NAME}. */
    void inherit(String name, String property);

    /** The file systems directly below {@code parent} with the given columns. Equivalent to: {@code zfs list -d 1}. */
    List<Map<String, String>> children(String parent, List<String> columns);

    /** Equivalent to: {@code zfs snapshot -o k=v SNAPSHOT}. */
    void snapshot(String snapshot, Map<String, String> properties);

    /** The snapshots of one dataset, oldest first. */
    List<Snapshot> snapshots(String dataset);

    /** Rolls back to a snapshot, destroying any later ones. Equivalent to: {@code zfs rollback -r SNAPSHOT}. */
    void rollback(String snapshot);

    /** Equivalent to: {@code zfs mount DATASET}; mounting a mounted dataset is not an error. */
    void mount(String dataset);

    /** Equivalent to: {@code zfs unmount DATASET}; unmounting an unmounted dataset is not an error. */
    void unmount(String dataset);

    /**
     * One snapshot.
     *
     * @param name     full name, {@code tank/berth/web@daily}
     * @param creation seconds since the epoch
     * @param used     bytes held only by this snapshot
     */
    record Snapshot(String name, long creation, long used) {
        /** The part after {@code @}. */
        public String shortName() {
            return name.substring(name.indexOf('@') + 1);
        }
    }
}
