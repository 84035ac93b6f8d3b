package dev.berth.netlink;

import java.net.InetAddress;

/**
 * A neighbour entry ({@code struct ndmsg} and {@code NDA_*}): an ARP or NDP entry (family {@link Family#INET} or
 * {@link Family#INET6}: IP to MAC on a link), or a forwarding database entry (family {@link Family#BRIDGE}: a MAC
 * on a bridge port or a VXLAN device, with the remote tunnel endpoint for VXLAN).
 *
 * @param family      INET, INET6 or BRIDGE
 * @param linkIndex   the device ({@code ndm_ifindex})
 * @param ip          {@code NDA_DST}: the neighbour's IP; for an FDB entry on VXLAN the remote endpoint; else null
 * @param mac         {@code NDA_LLADDR}; required for FDB entries
 * @param state       {@code NUD_*}: {@link #NUD_PERMANENT} unless set. iproute2's words for FDB entries:
 *                    {@code permanent} is {@code NOARP|PERMANENT}, {@code static} is {@code NOARP|REACHABLE},
 *                    {@code dynamic} is {@code REACHABLE}; a VXLAN refuses a state with neither PERMANENT nor
 *                    REACHABLE ({@code INVALID}), and keeps only PERMANENT and NOARP entries when it goes down
 * @param flags       {@code NTF_*}: an FDB entry needs {@link #NTF_SELF} (the device's own table: VXLAN) or
 *                    {@link #NTF_MASTER} (the bridge above the port)
 * @param vni         {@code NDA_VNI} for a VXLAN FDB entry in another VNI; {@link #NO_VNI} for none
 * @param masterIndex {@code NDA_MASTER} as reported in dumps (the bridge of a port's entry); 0 for none
 */
public record Neigh(Family family, int linkIndex, InetAddress ip, MacAddress mac, int state, int flags, int vni,
                    int masterIndex) {
    public static final int NO_VNI = -1;
    public static final int NUD_INCOMPLETE = 0x01;
    public static final int NUD_REACHABLE = 0x02;
    public static final int NUD_STALE = 0x04;
    public static final int NUD_DELAY = 0x08;
    public static final int NUD_PROBE = 0x10;
    public static final int NUD_FAILED = 0x20;
    public static final int NUD_NOARP = 0x40;
    public static final int NUD_PERMANENT = 0x80;
    public static final int NTF_USE = 0x01;
    public static final int NTF_SELF = 0x02;
    public static final int NTF_MASTER = 0x04;
    public static final int NTF_PROXY = 0x08;
    public static final int NTF_EXT_LEARNED = 0x10;
    public static final int NTF_ROUTER = 0x80;

    public Neigh {
        if (family == null || family == Family.ALL) {
            throw new IllegalArgumentException("a neighbour is INET, INET6 or BRIDGE");
        }
        if (linkIndex <= 0) {
            throw new IllegalArgumentException("a neighbour needs a link index, not " + linkIndex);
        }
        if (family == Family.BRIDGE) {
            if (mac == null) {
                throw new IllegalArgumentException("an FDB entry needs its MAC");
            }
        } else if (ip == null || Family.of(ip) != family) {
            throw new IllegalArgumentException("an " + family + " neighbour needs an " + family + " address");
        }
        if (state < 0 || state > 0xffff || flags < 0 || flags > 0xff) {
            throw new IllegalArgumentException("state is 16 bits and flags 8 bits");
        }
        if (vni < NO_VNI || vni > 0xff_ffff) {
            throw new IllegalArgumentException("a VNI has 24 bits: " + vni);
        }
    }

    /** An ARP (IPv4) or NDP (IPv6) entry, permanent. Equivalent to {@code ip neigh add IP lladdr MAC dev IFACE}. */
    public static Neigh of(int linkIndex, InetAddress ip, MacAddress mac) {
        return new Neigh(Family.of(ip), linkIndex, ip, mac, NUD_PERMANENT, 0, NO_VNI, 0);
    }

    /**
     * A permanent FDB entry in the device's own table ({@code self}): with {@link #withDst} the VXLAN remote.
     * Equivalent to {@code bridge fdb add MAC dev IFACE self permanent [dst IP]}.
     */
    public static Neigh fdb(int linkIndex, MacAddress mac) {
        return new Neigh(Family.BRIDGE, linkIndex, null, mac, NUD_PERMANENT, NTF_SELF, NO_VNI, 0);
    }

    /** {@code dst}: for an FDB entry, the VXLAN remote to send this MAC's frames to. */
    public Neigh withDst(InetAddress v) {
        return new Neigh(family, linkIndex, v, mac, state, flags, vni, masterIndex);
    }

    public Neigh withMac(MacAddress v) {
        return new Neigh(family, linkIndex, ip, v, state, flags, vni, masterIndex);
    }

    public Neigh withState(int v) {
        return new Neigh(family, linkIndex, ip, mac, v, flags, vni, masterIndex);
    }

    public Neigh withFlags(int v) {
        return new Neigh(family, linkIndex, ip, mac, state, v, vni, masterIndex);
    }

    public Neigh withVni(int v) {
        return new Neigh(family, linkIndex, ip, mac, state, flags, v, masterIndex);
    }

    public Neigh withMasterIndex(int v) {
        return new Neigh(family, linkIndex, ip, mac, state, flags, vni, v);
    }

    public boolean isFdb() {
        return family == Family.BRIDGE;
    }
}
