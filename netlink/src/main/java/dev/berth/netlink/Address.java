package dev.berth.netlink;

import java.net.InetAddress;

/**
 * An interface address ({@code struct ifaddrmsg} and {@code IFA_*}), IPv4 or IPv6.
 *
 * @param linkIndex the interface
 * @param prefix    the local address and prefix length, as in {@code 10.0.0.1/24}
 * @param broadcast {@code IFA_BROADCAST} (IPv4 only); null for none
 * @param scope     {@code ifa_scope}: {@link #SCOPE_UNIVERSE} unless set
 * @param label     {@code IFA_LABEL} (IPv4 only; must start with the interface name); null for none
 * @param flags     {@code IFA_F_*}; on add, {@link #F_NODAD} skips IPv6 duplicate address detection
 */
public record Address(int linkIndex, IpPrefix prefix, InetAddress broadcast, int scope, String label, int flags) {
    public static final int SCOPE_UNIVERSE = 0;
    public static final int SCOPE_SITE = 200;
    public static final int SCOPE_LINK = 253;
    public static final int SCOPE_HOST = 254;
    public static final int F_NODAD = 0x02;
    public static final int F_TENTATIVE = 0x40;
    public static final int F_PERMANENT = 0x80;
    public static final int F_NOPREFIXROUTE = 0x200;

    public Address {
        if (linkIndex <= 0) {
            throw new IllegalArgumentException("an address needs a link index, not " + linkIndex);
        }
        if (prefix == null) {
            throw new IllegalArgumentException("an address needs its prefix");
        }
        if (broadcast != null && (Inet.isV6(broadcast) || Inet.isV6(prefix.address()))) {
            throw new IllegalArgumentException("a broadcast address is IPv4 only");
        }
        if (scope < 0 || scope > 255) {
            throw new IllegalArgumentException("scope is 0..255: " + scope);
        }
    }

    /** Equivalent to the address part of {@code ip addr add 10.0.0.1/24 dev IFACE}. */
    public static Address of(int linkIndex, IpPrefix prefix) {
        return new Address(linkIndex, prefix, null, SCOPE_UNIVERSE, null, 0);
    }

    public static Address of(int linkIndex, String cidr) {
        return of(linkIndex, IpPrefix.parse(cidr));
    }

    public Family family() {
        return prefix.family();
    }

    public Address withBroadcast(InetAddress v) {
        return new Address(linkIndex, prefix, v, scope, label, flags);
    }

    public Address withScope(int v) {
        return new Address(linkIndex, prefix, broadcast, v, label, flags);
    }

    public Address withLabel(String v) {
        return new Address(linkIndex, prefix, broadcast, scope, v, flags);
    }

    public Address withFlags(int v) {
        return new Address(linkIndex, prefix, broadcast, scope, label, v);
    }

    /** Same link, address and prefix length: what the kernel identifies an address by. */
    public boolean sameAs(Address o) {
        return linkIndex == o.linkIndex && prefix.equals(o.prefix);
    }
}
