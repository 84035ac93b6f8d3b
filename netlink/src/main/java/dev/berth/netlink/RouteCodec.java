package dev.berth.netlink;

/** {@code RTM_*ROUTE} messages: {@code struct rtmsg} (12 bytes) and {@code RTA_*} attributes. Pure. */
final class RouteCodec {
    static final int RTM_NEWROUTE = 24;
    static final int RTM_DELROUTE = 25;
    static final int RTM_GETROUTE = 26;
    static final int RTMSG_LEN = 12;
    static final int RTA_DST = 1;
    static final int RTA_OIF = 4;
    static final int RTA_GATEWAY = 5;
    static final int RTA_PRIORITY = 6;
    static final int RTA_PREFSRC = 7;
    static final int RTA_TABLE = 15;
    /** {@code rtm_flags}: a cached clone, not a configured route. */
    static final int RTM_F_CLONED = 0x200;

    private RouteCodec() {
    }

    /** {@code ip route add} ({@code NLM_F_CREATE|NLM_F_EXCL}) or {@code ip route replace} (CREATE|REPLACE). */
    static NlMessageBuilder newRoute(Route r, boolean replace) {
        int flags = NlMessage.F_CREATE | (replace ? NlMessage.F_REPLACE : NlMessage.F_EXCL);
        NlMessageBuilder b = new NlMessageBuilder(RTM_NEWROUTE, flags);
        rtmsg(b, r, r.protocol(), r.effectiveScope(), r.type());
        return attrs(b, r);
    }

    /**
     * {@code ip route del}: as iproute2, protocol and type 0 and scope {@code RT_SCOPE_NOWHERE} (wildcards), so the
     * route is found by destination, table, and the gateway, device and metric given.
     */
    static NlMessageBuilder delRoute(Route r) {
        NlMessageBuilder b = new NlMessageBuilder(RTM_DELROUTE, 0);
        rtmsg(b, r, 0, Route.SCOPE_NOWHERE, 0);
        return attrs(b, r);
    }

    static NlMessageBuilder dumpRoutes(Family f) {
        NlMessageBuilder b = new NlMessageBuilder(RTM_GETROUTE, NlMessage.F_DUMP);
        return b.u8(f.number()).u8(0).u8(0).u8(0).u8(0).u8(0).u8(0).u8(0).u32(0);
    }

    private static void rtmsg(NlMessageBuilder b, Route r, int protocol, int scope, int type) {
        int table = r.effectiveTable();
        b.u8(r.family().number()).u8(r.dst().length()).u8(0).u8(0).u8(table < 256 ? table : 0)
                .u8(protocol).u8(scope).u8(type).u32(0);
    }

    private static NlMessageBuilder attrs(NlMessageBuilder b, Route r) {
        if (r.effectiveTable() >= 256) {
            b.attrU32(RTA_TABLE, r.effectiveTable());
        }
        if (r.dst().length() > 0) {
            b.attrInet(RTA_DST, r.dst().address());
        }
        if (r.prefSrc() != null) {
            b.attrInet(RTA_PREFSRC, r.prefSrc());
        }
        if (r.gateway() != null) {
            b.attrInet(RTA_GATEWAY, r.gateway());
        }
        if (r.metric() > 0) {
            b.attrU32(RTA_PRIORITY, r.metric());
        }
        if (r.oif() > 0) {
            b.attrU32(RTA_OIF, r.oif());
        }
        return b;
    }

    /** Reads an {@code RTM_NEWROUTE}; null for a cached clone or a family other than IPv4 and IPv6. */
    static Route parse(NlMessage m) {
        var p = m.payload();
        if (p.remaining() < RTMSG_LEN) {
            throw NetlinkException.malformed("RTM_NEWROUTE shorter than struct rtmsg");
        }
        int fam = p.get(0) & 0xff;
        if (fam != Family.INET.number() && fam != Family.INET6.number()) {
            return null; // multicast routing (RTNL_FAMILY_IPMR), MPLS, ...: not modelled
        }
        Family family = Family.ofNumber(fam);
        int dstLen = p.get(1) & 0xff;
        int table = p.get(4) & 0xff;
        int protocol = p.get(5) & 0xff;
        int scope = p.get(6) & 0xff;
        int type = p.get(7) & 0xff;
        int rtmFlags = p.getInt(8);
        if ((rtmFlags & RTM_F_CLONED) != 0) {
            return null;
        }
        NlAttributes at = m.attributes(RTMSG_LEN);
        NlAttribute dst = at.get(RTA_DST);
        IpPrefix prefix = new IpPrefix(dst == null ? Inet.any(family) : dst.inet(), dstLen);
        NlAttribute gw = at.get(RTA_GATEWAY);
        NlAttribute src = at.get(RTA_PREFSRC);
        return new Route(family, prefix, gw == null ? null : gw.inet(), at.u32(RTA_OIF, 0),
                at.u32(RTA_TABLE, table), scope, protocol, type, at.u32(RTA_PRIORITY, 0),
                src == null ? null : src.inet());
    }
}
