package dev.berth.zfs;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Who has a volume mounted, kept in ZFS itself so that a plugin restart forgets nothing: one user property per mount
 * ID, {@code berth:mount:<id>=<count>:<epoch seconds of the last Mount>}. Docker sends one Mount per container start
 * and may reuse an ID ({@code docker cp}), hence a count per ID. An ID outside ZFS's property-name characters is
 * stored hex-encoded under {@code berth:mountx:}.
 */
final class MountCounts {
    static final String PREFIX = "berth:mount:";
    static final String HEX_PREFIX = "berth:mountx:";
    private static final Pattern CLEAN = Pattern.compile("[a-z0-9_.-]{1,200}");

    /** One mount ID's record. */
    record Entry(long count, Instant lastMount) {
        String encode() {
            return count + ":" + lastMount.getEpochSecond();
        }
    }

    private MountCounts() {
    }

    static String property(String id) {
        return CLEAN.matcher(id).matches() ? PREFIX + id
                : HEX_PREFIX + HexFormat.of().formatHex(id.getBytes(StandardCharsets.UTF_8));
    }

    /** The mount records among a dataset's local user properties, by mount ID. */
    static Map<String, Entry> read(Map<String, String> userProperties) {
        Map<String, Entry> out = new LinkedHashMap<>();
        userProperties.forEach((k, v) -> {
            String id = null;
            if (k.startsWith(PREFIX)) {
                id = k.substring(PREFIX.length());
            } else if (k.startsWith(HEX_PREFIX)) {
                try {
                    id = new String(HexFormat.of().parseHex(k.substring(HEX_PREFIX.length())), StandardCharsets.UTF_8);
                } catch (IllegalArgumentException e) {
                    return;
                }
            }
            if (id != null) {
                out.put(id, decode(v));
            }
        });
        return out;
    }

    static long total(Map<String, Entry> entries) {
        return entries.values().stream().mapToLong(Entry::count).sum();
    }

    private static Entry decode(String v) {
        try {
            int colon = v.indexOf(':');
            long count = Long.parseLong(colon < 0 ? v : v.substring(0, colon));
            long at = colon < 0 ? 0 : Long.parseLong(v.substring(colon + 1));
            return new Entry(Math.max(count, 1), Instant.ofEpochSecond(at));
        } catch (NumberFormatException e) {
            // a damaged record still means "mounted by someone": count it once; reconciliation clears it
            return new Entry(1, Instant.EPOCH);
        }
    }
}
