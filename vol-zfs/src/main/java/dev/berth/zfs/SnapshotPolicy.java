package dev.berth.zfs;

import java.time.Duration;

/**
 * A volume's snapshot schedule: one {@code auto-...} snapshot every {@code every}, the newest {@code keep} kept.
 * Stored on the dataset as {@code berth:snapshot-every} (seconds) and {@code berth:keep}.
 */
public record SnapshotPolicy(Duration every, int keep) {
    static final String EVERY = "berth:snapshot-every";
    static final String KEEP = "berth:keep";

    /** The policy in a dataset's local user properties, or null when it has none (or an unreadable one). */
    static SnapshotPolicy from(java.util.Map<String, String> userProperties) {
        String every = userProperties.get(EVERY);
        String keep = userProperties.get(KEEP);
        if (every == null || keep == null) {
            return null;
        }
        try {
            return new SnapshotPolicy(Duration.ofSeconds(Long.parseLong(every)), Integer.parseInt(keep));
        } catch (NumberFormatException e) {
            return null;
        }
    }

    @Override
    public String toString() {
        return "every " + Sizes.format(every) + ", keep " + keep;
    }
}
