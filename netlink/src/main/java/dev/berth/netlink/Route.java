package dev.berth.netlink;

import java.net.InetAddress;

/**
 * A route ({@code struct rtmsg} and {@code RTA_*}), IPv4 or IPv6. Single next hop only: multipath routes read back
 * with their first hop absent ({@code gateway} and {@code oif} unset).
 *
 * @param family   {@link Family#INET} or {@link Family#INET6}
 * @param dst      destination with host bits clear; {@code 0.0.0.0/0} or {@code ::/0} for the default route
 * @param gateway  {@code RTA_GATEWAY}; null for a directly connected destination
 * @param oif      {@code RTA_OIF}: output interface index; 0 for none
 * @param table    {@code RTA_TABLE}: {@link #TABLE_MAIN} unless set
 * @param scope    {@code rtm_scope}; {@link #SCOPE_AUTO} on add picks as iproute2 does: link for an IPv4 route
 *                 without gateway, else universe
 * @param protocol {@code rtm_protocol}: who installed it; {@link #PROTO_BOOT} unless set, as {@code ip route add}
 * @param type     {@code rtm_type}: {@link #TYPE_UNICAST} unless set
 * @param metric   {@code RTA_PRIORITY}; 0 for the default
 * @param prefSrc  {@code RTA_PREFSRC}: preferred source address; null for none
 */
public record Route(Family family, IpPrefix dst, InetAddress gateway, int oif, int table, int scope, int protocol,
                    int type, int metric, InetAddress prefSrc) {
    public static final int TABLE_UNSPEC = 0;
    public static final int TABLE_MAIN = 254;
    public static final int TABLE_LOCAL = 255;
    public static final int SCOPE_AUTO = -1;
    public static final int SCOPE_UNIVERSE = 0;
    public static final int SCOPE_LINK = 253;
    public static final int SCOPE_HOST = 254;
    public static final int SCOPE_NOWHERE = 255;
    public static final int PROTO_UNSPEC = 0;
    public static final int PROTO_KERNEL = 2;
    public static final int PROTO_BOOT = 3;
    public static final int PROTO_STATIC = 4;
    public static final int TYPE_UNICAST = 1;
    public static final int TYPE_LOCAL = 2;
    public static final int TYPE_BROADCAST = 3;
    public static final int TYPE_BLACKHOLE = 6;
    public static final int TYPE_UNREACHABLE = 7;

    public Route {
        if (family != Family.INET && family != Family.INET6) {
            throw new IllegalArgumentException("a route is INET or INET6, not " + family);
        }
        if (dst == null) {
            dst = new IpPrefix(Inet.any(family), 0);
        }
        if (dst.family() != family || (gateway != null && Family.of(gateway) != family)
                || (prefSrc != null && Family.of(prefSrc) != family)) {
            throw new IllegalArgumentException("route to " + dst + " mixes address families");
        }
        if (!dst.network().equals(dst)) {
            throw new IllegalArgumentException("route destination " + dst + " has host bits set; use " + dst.network());
        }
        if (scope < SCOPE_AUTO || scope > 255 || protocol < 0 || protocol > 255 || type < 0 || type > 255) {
            throw new IllegalArgumentException("scope, protocol and type are 0..255");
        }
        if (table < 0) {
            throw new IllegalArgumentException("table must not be negative: " + table);
        }
    }

    /** A unicast route to {@code dst} in the main table; add a gateway or an output interface. */
    public static Route to(IpPrefix dst) {
        return new Route(dst.family(), dst, null, 0, TABLE_MAIN, SCOPE_AUTO, PROTO_BOOT, TYPE_UNICAST, 0, null);
    }

    public static Route to(String cidr) {
        return to(IpPrefix.parse(cidr));
    }

    /** The default route via {@code gateway}. */
    public static Route defaultVia(InetAddress gateway) {
        Family f = Family.of(gateway);
        return new Route(f, null, gateway, 0, TABLE_MAIN, SCOPE_AUTO, PROTO_BOOT, TYPE_UNICAST, 0, null);
    }

    public boolean isDefault() {
        return dst.length() == 0;
    }

    public Route withGateway(InetAddress v) {
        return new Route(family, dst, v, oif, table, scope, protocol, type, metric, prefSrc);
    }

    public Route withOif(int v) {
        return new Route(family, dst, gateway, v, table, scope, protocol, type, metric, prefSrc);
    }

    public Route withTable(int v) {
        return new Route(family, dst, gateway, oif, v, scope, protocol, type, metric, prefSrc);
    }

    public Route withScope(int v) {
        return new Route(family, dst, gateway, oif, table, v, protocol, type, metric, prefSrc);
    }

    public Route withProtocol(int v) {
        return new Route(family, dst, gateway, oif, table, scope, v, type, metric, prefSrc);
    }

    public Route withType(int v) {
        return new Route(family, dst, gateway, oif, table, scope, protocol, v, metric, prefSrc);
    }

    public Route withMetric(int v) {
        return new Route(family, dst, gateway, oif, table, scope, protocol, type, v, prefSrc);
    }

    public Route withPrefSrc(InetAddress v) {
        return new Route(family, dst, gateway, oif, table, scope, protocol, type, metric, v);
    }

    /** The scope to send on add: {@link #SCOPE_AUTO} resolved as iproute2 does. */
    int effectiveScope() {
        if (scope != SCOPE_AUTO) {
            return scope;
        }
        if (family == Family.INET && gateway == null && type == TYPE_UNICAST) {
            return SCOPE_LINK;
        }
        return type == TYPE_LOCAL ? SCOPE_HOST : SCOPE_UNIVERSE;
    }

    /** Same destination, table and metric: the key the kernel finds a route by for replace and delete. */
    public boolean sameKey(Route o) {
        return family == o.family && dst.equals(o.dst) && effectiveTable() == o.effectiveTable() && metric == o.metric;
    }

    int effectiveTable() {
        return table == TABLE_UNSPEC ? TABLE_MAIN : table;
    }
}
