package dev.berth.netlink;

import java.net.InetAddress;

/**
 * A VXLAN tunnel endpoint. Equivalent to
 * {@code ip link add vx42 type vxlan id 42 local 10.0.0.1 dstport 4789 nolearning dev eth0 ttl 64 srcport 32768 61000}.
 *
 * <p>The overlay driver uses it with learning off and a static FDB: one {@code 00:00:00:00:00:00} entry per remote
 * for flooding ({@code bridge fdb append}), one entry per known MAC.
 *
 * @param vni           {@code IFLA_VXLAN_ID}, 0 to 2^24-1
 * @param local         {@code IFLA_VXLAN_LOCAL}/{@code LOCAL6}: source address of the tunnel; null to choose by route
 * @param group         {@code IFLA_VXLAN_GROUP}/{@code GROUP6}: a multicast group or a single remote; null for
 *                      none (the FDB says where to send)
 * @param port          {@code IFLA_VXLAN_PORT}: UDP destination port; 4789 (IANA) unless set. The kernel's own
 *                      default, used when the attribute is absent, is 8472: it is always sent.
 * @param learning      {@code IFLA_VXLAN_LEARNING}: learn remote MACs from received packets
 * @param underlayIndex {@code IFLA_VXLAN_LINK}: the device to send through; 0 to choose by route
 * @param ttl           {@code IFLA_VXLAN_TTL}; 0 for the default ("auto")
 * @param portLow       {@code IFLA_VXLAN_PORT_RANGE}: UDP source port range; 0 and 0 for the kernel's default
 * @param portHigh      the range's high end; the kernel picks source ports in {@code [portLow, portHigh)}
 * @param proxy         {@code IFLA_VXLAN_PROXY}: answer ARP from the neighbour table
 * @param l2miss        {@code IFLA_VXLAN_L2MISS}: notify on unknown destination MACs
 * @param l3miss        {@code IFLA_VXLAN_L3MISS}: notify on unknown destination IPs
 */
public record Vxlan(LinkAttrs attrs, int vni, InetAddress local, InetAddress group, int port, boolean learning,
                   int underlayIndex, int ttl, int portLow, int portHigh, boolean proxy, boolean l2miss,
                   boolean l3miss) implements Link {
    public static final int IANA_PORT = 4789;

    public Vxlan {
        if (vni < 0 || vni > 0xff_ffff) {
            throw new IllegalArgumentException("a VNI has 24 bits: " + vni);
        }
        if (port < 0 || port > 0xffff || portLow < 0 || portLow > 0xffff || portHigh < 0 || portHigh > 0xffff) {
            throw new IllegalArgumentException("ports are 0..65535");
        }
        if (ttl < 0 || ttl > 255) {
            throw new IllegalArgumentException("ttl is 0..255: " + ttl);
        }
        if (local != null && group != null && local.getClass() != group.getClass()) {
            throw new IllegalArgumentException("local " + local + " and group " + group + " differ in family");
        }
    }

    /** A VXLAN with the given name and VNI, destination port 4789, learning on (the kernel's default). */
    public static Vxlan of(String name, int vni) {
        return new Vxlan(LinkAttrs.named(name), vni, null, null, IANA_PORT, true, 0, 0, 0, 0, false, false, false);
    }

    public Vxlan withLocal(InetAddress v) {
        return new Vxlan(attrs, vni, v, group, port, learning, underlayIndex, ttl, portLow, portHigh, proxy, l2miss,
                l3miss);
    }

    public Vxlan withGroup(InetAddress v) {
        return new Vxlan(attrs, vni, local, v, port, learning, underlayIndex, ttl, portLow, portHigh, proxy, l2miss,
                l3miss);
    }

    public Vxlan withPort(int v) {
        return new Vxlan(attrs, vni, local, group, v, learning, underlayIndex, ttl, portLow, portHigh, proxy, l2miss,
                l3miss);
    }

    public Vxlan withLearning(boolean v) {
        return new Vxlan(attrs, vni, local, group, port, v, underlayIndex, ttl, portLow, portHigh, proxy, l2miss,
                l3miss);
    }

    public Vxlan withUnderlayIndex(int v) {
        return new Vxlan(attrs, vni, local, group, port, learning, v, ttl, portLow, portHigh, proxy, l2miss, l3miss);
    }

    public Vxlan withTtl(int v) {
        return new Vxlan(attrs, vni, local, group, port, learning, underlayIndex, v, portLow, portHigh, proxy, l2miss,
                l3miss);
    }

    public Vxlan withPortRange(int low, int high) {
        return new Vxlan(attrs, vni, local, group, port, learning, underlayIndex, ttl, low, high, proxy, l2miss,
                l3miss);
    }

    public Vxlan withProxy(boolean v) {
        return new Vxlan(attrs, vni, local, group, port, learning, underlayIndex, ttl, portLow, portHigh, v, l2miss,
                l3miss);
    }

    public Vxlan withMisses(boolean l2, boolean l3) {
        return new Vxlan(attrs, vni, local, group, port, learning, underlayIndex, ttl, portLow, portHigh, proxy, l2, l3);
    }

    @Override
    public String kind() {
        return "vxlan";
    }

    @Override
    public Vxlan withAttrs(LinkAttrs a) {
        return new Vxlan(a, vni, local, group, port, learning, underlayIndex, ttl, portLow, portHigh, proxy, l2miss,
                l3miss);
    }
}
