package dev.berth.netlink;

/**
 * Per-device IPv4 settings ({@code IPV4_DEVCONF_*}, the values under {@code /proc/sys/net/ipv4/conf/DEV/}), as
 * {@link Netlink#linkSetIpv4Conf} and {@link Netlink#linkIpv4Conf} set and read them over rtnetlink. That works where
 * /proc/sys is read-only, as in Docker's managed plugins.
 */
public final class Ipv4Conf {
    /** {@code forwarding}. */
    public static final int FORWARDING = 1;
    /** {@code proxy_arp}: answer ARP requests for addresses routed out of another device. */
    public static final int PROXY_ARP = 3;
    /** {@code rp_filter}. */
    public static final int RP_FILTER = 8;
    /** The highest {@code IPV4_DEVCONF_*} index this library accepts (kernels have about 33). */
    static final int MAX = 64;

    private Ipv4Conf() {
    }

    static String name(int devconf) {
        return switch (devconf) {
            case FORWARDING -> "forwarding";
            case PROXY_ARP -> "proxy_arp";
            case RP_FILTER -> "rp_filter";
            default -> "devconf" + devconf;
        };
    }
}
