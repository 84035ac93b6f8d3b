package dev.berth.zfs;

/**
 * Which ZFS answers. zfs-fuse 0.7 (pool v23) lacks {@code list -p}, {@code zfs version}, the lz4 and zstd
 * compressions and several send/recv flags; OpenZFS 2.x has them. Exact numbers are read with {@code zfs get -p},
 * which both support, so the flavour decides only what options we offer and how we explain refusals.
 */
public enum ZfsFlavor {
    OPENZFS("OpenZFS 2.x"),
    ZFS_FUSE("zfs-fuse 0.7");

    private final String label;

    ZfsFlavor(String label) {
        this.label = label;
    }

    /** Whether {@code compression=lz4} (a pool feature flag) can be asked for. */
    public boolean hasLz4() {
        return this == OPENZFS;
    }

    @Override
    public String toString() {
        return label;
    }
}
