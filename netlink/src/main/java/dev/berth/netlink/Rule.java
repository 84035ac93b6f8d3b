package dev.berth.netlink;

/**
 * A policy routing rule that sends packets to a routing table: {@code ip rule add [iif NAME] lookup TABLE
 * [priority N]}. Only what Berth uses is modelled: the input interface selector, the table and the priority (rules
 * with other selectors, such as {@code from} or {@code fwmark}, are read back with those fields alone, so compare
 * them with care). {@code iifName} null matches every interface; {@code priority} 0 on add lets the kernel choose one
 * below the last rule (as iproute2 does), on delete matches any.
 */
public record Rule(Family family, String iifName, int table, int priority) {
    /** The kernel's default rules: {@code 0: from all lookup local}, 32766 main, 32767 default. */
    public static final int PRIORITY_MAIN = 32766;

    public Rule {
        if (family != Family.INET && family != Family.INET6) {
            throw new IllegalArgumentException("a rule is IPv4 or IPv6, not " + family);
        }
        if (table <= 0) {
            throw new IllegalArgumentException("a rule needs a table (1..2^32-1), not " + table);
        }
        if (priority < 0) {
            throw new IllegalArgumentException("a rule priority is 0..2^31-1, not " + priority);
        }
        if (iifName != null && (iifName.isEmpty() || iifName.length() > 15)) {
            throw new IllegalArgumentException("an interface name is 1..15 characters: '" + iifName + "'");
        }
    }

    /** {@code ip rule add iif NAME lookup TABLE priority PRIORITY} (IPv4). */
    public static Rule iif(String iifName, int table, int priority) {
        return new Rule(Family.INET, iifName, table, priority);
    }

    /** Whether {@code other} (as read back) is the rule this one names; priority 0 here matches any. */
    public boolean matches(Rule other) {
        return family == other.family && table == other.table
                && java.util.Objects.equals(iifName, other.iifName)
                && (priority == 0 || priority == other.priority);
    }
}
