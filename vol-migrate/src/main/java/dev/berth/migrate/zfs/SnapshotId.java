package dev.berth.migrate.zfs;

import java.util.Objects;

/**
 * A snapshot and its GUID: the GUID is what identifies a snapshot across hosts (a received snapshot keeps the
 * sender's GUID; a same-named snapshot taken separately has another).
 *
 * @param name full name, {@code tank/berth/web@m1}
 * @param guid the {@code guid} property
 */
public record SnapshotId(String name, long guid) {
    public SnapshotId {
        Objects.requireNonNull(name, "name");
        if (name.indexOf('@') < 1) {
            throw new IllegalArgumentException("not a snapshot name: " + name);
        }
    }

    /** The part after {@code @}. */
    public String shortName() {
        return name.substring(name.indexOf('@') + 1);
    }

    /** The part before {@code @}. */
    public String dataset() {
        return name.substring(0, name.indexOf('@'));
    }
}
