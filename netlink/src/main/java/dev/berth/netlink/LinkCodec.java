package dev.berth.netlink;

import java.net.InetAddress;
import java.nio.file.Path;

/** {@code RTM_*LINK} messages: {@code struct ifinfomsg} (16 bytes) and {@code IFLA_*} attributes. Pure. */
final class LinkCodec {
    static final int RTM_NEWLINK = 16;
    static final int RTM_DELLINK = 17;
    static final int RTM_GETLINK = 18;
    static final int RTM_SETLINK = 19;
    static final int IFINFOMSG_LEN = 16;

    static final int IFLA_ADDRESS = 1;
    static final int IFLA_IFNAME = 3;
    static final int IFLA_MTU = 4;
    static final int IFLA_LINK = 5;
    static final int IFLA_MASTER = 10;
    static final int IFLA_OPERSTATE = 16;
    static final int IFLA_LINKINFO = 18;
    static final int IFLA_NET_NS_PID = 19;
    static final int IFLA_NET_NS_FD = 28;
    static final int IFLA_LINK_NETNSID = 37;
    static final int IFLA_INFO_KIND = 1;
    static final int IFLA_INFO_DATA = 2;
    static final int VETH_INFO_PEER = 1;

    static final int IFLA_VXLAN_ID = 1;
    static final int IFLA_VXLAN_GROUP = 2;
    static final int IFLA_VXLAN_LINK = 3;
    static final int IFLA_VXLAN_LOCAL = 4;
    static final int IFLA_VXLAN_TTL = 5;
    static final int IFLA_VXLAN_LEARNING = 7;
    static final int IFLA_VXLAN_PORT_RANGE = 10;
    static final int IFLA_VXLAN_PROXY = 11;
    static final int IFLA_VXLAN_L2MISS = 13;
    static final int IFLA_VXLAN_L3MISS = 14;
    static final int IFLA_VXLAN_PORT = 15;
    static final int IFLA_VXLAN_GROUP6 = 16;
    static final int IFLA_VXLAN_LOCAL6 = 17;
    static final int IFLA_MACVLAN_MODE = 1;

    /** How a namespace given by path becomes a descriptor for {@code IFLA_NET_NS_FD}; the caller closes it later. */
    @FunctionalInterface
    interface NetnsOpener {
        int open(Path nsFile);
    }

    private LinkCodec() {
    }

    /** {@code ip link add NAME [mtu N] [address MAC] [up] [netns NS] type KIND ...}: create, fail if it exists. */
    static NlMessageBuilder newLink(Link link, NetnsOpener ns) {
        LinkAttrs a = link.attrs();
        if (a.name() == null) {
            throw new IllegalArgumentException("a link to create needs a name");
        }
        NlMessageBuilder b = new NlMessageBuilder(RTM_NEWLINK, NlMessage.F_CREATE | NlMessage.F_EXCL);
        ifinfomsg(b, 0, a.up() ? LinkAttrs.IFF_UP : 0, a.up() ? LinkAttrs.IFF_UP : 0);
        common(b, a, ns);
        if (a.masterIndex() > 0) {
            b.attrU32(IFLA_MASTER, a.masterIndex());
        }
        if (a.parentIndex() > 0 && !(link instanceof Veth)) {
            b.attrU32(IFLA_LINK, a.parentIndex()); // the lower device: ip link add link LOWER ... type macvlan
        }
        int info = b.nestStart(IFLA_LINKINFO);
        b.attrString(IFLA_INFO_KIND, link.kind());
        if (link instanceof Veth v) {
            if (v.peer().name() == null) {
                throw new IllegalArgumentException("a veth pair needs its peer's name");
            }
            int data = b.nestStart(IFLA_INFO_DATA);
            int peer = b.nestStart(VETH_INFO_PEER);
            ifinfomsg(b, 0, 0, 0);
            common(b, v.peer(), ns);
            b.nestEnd(peer);
            b.nestEnd(data);
        } else if (link instanceof Vxlan x) {
            int data = b.nestStart(IFLA_INFO_DATA);
            vxlanData(b, x);
            b.nestEnd(data);
        } else if (link instanceof Macvlan m) {
            int data = b.nestStart(IFLA_INFO_DATA);
            b.attrU32(IFLA_MACVLAN_MODE, m.mode().value);
            b.nestEnd(data);
        }
        b.nestEnd(info);
        return b;
    }

    private static void common(NlMessageBuilder b, LinkAttrs a, NetnsOpener ns) {
        b.attrString(IFLA_IFNAME, a.name());
        if (a.mtu() > 0) {
            b.attrU32(IFLA_MTU, a.mtu());
        }
        if (a.mac() != null) {
            b.attr(IFLA_ADDRESS, a.mac().bytes());
        }
        if (a.netns() != null) {
            netns(b, a.netns(), ns);
        }
    }

    static void netns(NlMessageBuilder b, Netns target, NetnsOpener ns) {
        if (target instanceof Netns.ByPid p) {
            b.attrU32(IFLA_NET_NS_PID, p.pid());
        } else if (target instanceof Netns.ByFd f) {
            b.attrU32(IFLA_NET_NS_FD, f.fd());
        } else {
            b.attrU32(IFLA_NET_NS_FD, ns.open(target.file()));
        }
    }

    private static void vxlanData(NlMessageBuilder b, Vxlan x) {
        b.attrU32(IFLA_VXLAN_ID, x.vni());
        if (x.group() != null) {
            b.attrInet(Inet.isV6(x.group()) ? IFLA_VXLAN_GROUP6 : IFLA_VXLAN_GROUP, x.group());
        }
        if (x.local() != null) {
            b.attrInet(Inet.isV6(x.local()) ? IFLA_VXLAN_LOCAL6 : IFLA_VXLAN_LOCAL, x.local());
        }
        if (x.underlayIndex() > 0) {
            b.attrU32(IFLA_VXLAN_LINK, x.underlayIndex());
        }
        if (x.ttl() > 0) {
            b.attrU8(IFLA_VXLAN_TTL, x.ttl());
        }
        b.attrU8(IFLA_VXLAN_LEARNING, x.learning() ? 1 : 0);
        if (x.portLow() != 0 || x.portHigh() != 0) {
            b.attr(IFLA_VXLAN_PORT_RANGE, new byte[] {(byte) (x.portLow() >>> 8), (byte) x.portLow(),
                    (byte) (x.portHigh() >>> 8), (byte) x.portHigh()});
        }
        if (x.proxy()) {
            b.attrU8(IFLA_VXLAN_PROXY, 1);
        }
        if (x.l2miss()) {
            b.attrU8(IFLA_VXLAN_L2MISS, 1);
        }
        if (x.l3miss()) {
            b.attrU8(IFLA_VXLAN_L3MISS, 1);
        }
        b.attrBe16(IFLA_VXLAN_PORT, x.port());
    }

    /**
     * An {@code RTM_SETLINK} on the device named {@code name} (index 0: the kernel looks the name up and answers
     * {@code ENODEV} if there is none); callers add the attribute to change.
     */
    static NlMessageBuilder setLinkByName(String name, int flags, int change) {
        NlMessageBuilder b = new NlMessageBuilder(RTM_SETLINK, 0);
        ifinfomsg(b, 0, flags, change);
        return b.attrString(IFLA_IFNAME, name);
    }

    static final int IFLA_AF_SPEC = 26;
    static final int IFLA_INET_CONF = 1;

    /**
     * {@code IFLA_AF_SPEC { AF_INET { IFLA_INET_CONF { devconf: u32 } } }}: sets one IPv4 device setting (what
     * {@code sysctl net.ipv4.conf.NAME.KEY=V} does through /proc).
     */
    static NlMessageBuilder setIpv4Conf(String name, int devconf, int value) {
        NlMessageBuilder b = setLinkByName(name, 0, 0);
        int af = b.nestStart(IFLA_AF_SPEC);
        int inet = b.nestStart(Family.INET.number());
        int conf = b.nestStart(IFLA_INET_CONF);
        b.attrU32(devconf, value);
        return b.nestEnd(conf).nestEnd(inet).nestEnd(af);
    }

    /**
     * One IPv4 device setting from an {@code RTM_NEWLINK}: the kernel reports {@code IFLA_INET_CONF} as an array of
     * u32 in host order, entry {@code devconf - 1}. -1 when the message has none (no IPv4 on the device).
     */
    static int ipv4Conf(NlMessage m, int devconf) {
        NlAttribute af = m.attributes(IFINFOMSG_LEN).get(IFLA_AF_SPEC);
        if (af == null) {
            return -1;
        }
        NlAttribute inet = af.nested().get(Family.INET.number());
        if (inet == null) {
            return -1;
        }
        NlAttribute conf = inet.nested().get(IFLA_INET_CONF);
        if (conf == null || conf.length() < devconf * 4) {
            return -1;
        }
        return conf.value().getInt((devconf - 1) * 4);
    }

    static NlMessageBuilder setLinkByIndex(int index) {
        NlMessageBuilder b = new NlMessageBuilder(RTM_SETLINK, 0);
        return ifinfomsg(b, index, 0, 0);
    }

    static NlMessageBuilder delLink(String name) {
        NlMessageBuilder b = new NlMessageBuilder(RTM_DELLINK, 0);
        ifinfomsg(b, 0, 0, 0);
        return b.attrString(IFLA_IFNAME, name);
    }

    static NlMessageBuilder getLink(String name) {
        NlMessageBuilder b = new NlMessageBuilder(RTM_GETLINK, 0);
        ifinfomsg(b, 0, 0, 0);
        return b.attrString(IFLA_IFNAME, name);
    }

    static NlMessageBuilder getLink(int index) {
        return ifinfomsg(new NlMessageBuilder(RTM_GETLINK, 0), index, 0, 0);
    }

    static NlMessageBuilder dumpLinks() {
        return ifinfomsg(new NlMessageBuilder(RTM_GETLINK, NlMessage.F_DUMP), 0, 0, 0);
    }

    /** {@code struct ifinfomsg}: family (AF_UNSPEC), pad, type, index, flags, change. */
    static NlMessageBuilder ifinfomsg(NlMessageBuilder b, int index, int flags, int change) {
        return b.u8(0).u8(0).u16(0).u32(index).u32(flags).u32(change);
    }

    /** Reads an {@code RTM_NEWLINK}. */
    static Link parse(NlMessage m) {
        var p = m.payload();
        if (p.remaining() < IFINFOMSG_LEN) {
            throw NetlinkException.malformed("RTM_NEWLINK shorter than struct ifinfomsg");
        }
        int index = p.getInt(4);
        int flags = p.getInt(8);
        NlAttributes at = m.attributes(IFINFOMSG_LEN);
        NlAttribute addr = at.get(IFLA_ADDRESS);
        MacAddress mac = addr != null && addr.length() == 6 ? addr.mac() : null;
        LinkAttrs a = new LinkAttrs(index, at.string(IFLA_IFNAME), at.u32(IFLA_MTU, 0), mac, flags,
                at.u32(IFLA_MASTER, 0), at.u32(IFLA_LINK, 0), at.u32(IFLA_LINK_NETNSID, -1),
                LinkAttrs.OperState.of(at.u8(IFLA_OPERSTATE, 0)), null);
        NlAttributes info = at.nested(IFLA_LINKINFO);
        String kind = info.string(IFLA_INFO_KIND);
        NlAttributes data = info.nested(IFLA_INFO_DATA);
        if (kind == null) {
            return new GenericLink(a, "");
        }
        switch (kind) {
            case "veth":
                return new Veth(a, new LinkAttrs(a.parentIndex(), null, 0, null, 0, 0, a.index(), -1,
                        LinkAttrs.OperState.UNKNOWN, null));
            case "bridge":
                return new Bridge(a);
            case "dummy":
                return new Dummy(a);
            case "vxlan":
                return parseVxlan(a, data);
            case "macvlan":
                return new Macvlan(a, Macvlan.Mode.of(data.u32(IFLA_MACVLAN_MODE, 0)));
            default:
                return new GenericLink(a, kind);
        }
    }

    private static Vxlan parseVxlan(LinkAttrs a, NlAttributes d) {
        InetAddress local = inet(d, IFLA_VXLAN_LOCAL, IFLA_VXLAN_LOCAL6);
        InetAddress group = inet(d, IFLA_VXLAN_GROUP, IFLA_VXLAN_GROUP6);
        NlAttribute port = d.get(IFLA_VXLAN_PORT);
        NlAttribute range = d.get(IFLA_VXLAN_PORT_RANGE);
        int low = 0;
        int high = 0;
        if (range != null && range.length() >= 4) {
            byte[] r = range.bytes();
            low = ((r[0] & 0xff) << 8) | (r[1] & 0xff);
            high = ((r[2] & 0xff) << 8) | (r[3] & 0xff);
        }
        return new Vxlan(a, d.u32(IFLA_VXLAN_ID, 0), local, group, port == null ? 0 : port.be16(),
                d.u8(IFLA_VXLAN_LEARNING, 1) != 0, d.u32(IFLA_VXLAN_LINK, 0), d.u8(IFLA_VXLAN_TTL, 0), low, high,
                d.u8(IFLA_VXLAN_PROXY, 0) != 0, d.u8(IFLA_VXLAN_L2MISS, 0) != 0, d.u8(IFLA_VXLAN_L3MISS, 0) != 0);
    }

    private static InetAddress inet(NlAttributes d, int v4, int v6) {
        NlAttribute a = d.get(v4);
        if (a == null) {
            a = d.get(v6);
        }
        if (a == null) {
            return null;
        }
        InetAddress ip = a.inet();
        return ip.isAnyLocalAddress() ? null : ip;
    }
}
