package dev.berth.netlink;

import java.net.InetAddress;

/**
 * {@code RTM_*NEIGH} messages: {@code struct ndmsg} (12 bytes) and {@code NDA_*} attributes, for ARP/NDP entries
 * ({@code AF_INET}/{@code AF_INET6}) and forwarding database entries ({@code AF_BRIDGE}). Pure.
 */
final class NeighCodec {
    static final int RTM_NEWNEIGH = 28;
    static final int RTM_DELNEIGH = 29;
    static final int RTM_GETNEIGH = 30;
    static final int RTM_SETNEIGHTBL = 67;
    static final int NDTA_NAME = 1;
    static final int NDTA_PARMS = 6;
    static final int NDTPA_IFINDEX = 1;
    static final int NDTPA_PROXY_DELAY = 13;

    /**
     * {@code RTM_SETNEIGHTBL} for IPv4's table ({@code arp_cache}) on one link: {@code struct ndtmsg} (family, 3 bytes
     * of padding), {@code NDTA_NAME}, {@code NDTA_PARMS { NDTPA_IFINDEX: u32, NDTPA_PROXY_DELAY: u64 ms }}.
     */
    static NlMessageBuilder setArpProxyDelay(int ifindex, long millis) {
        NlMessageBuilder b = new NlMessageBuilder(RTM_SETNEIGHTBL, 0);
        b.u8(Family.INET.number()).u8(0).u16(0);
        b.attrString(NDTA_NAME, "arp_cache");
        int parms = b.nestStart(NDTA_PARMS);
        b.attrU32(NDTPA_IFINDEX, ifindex);
        b.attr(NDTPA_PROXY_DELAY, java.nio.ByteBuffer.allocate(8).order(java.nio.ByteOrder.nativeOrder())
                .putLong(millis).array());
        return b.nestEnd(parms);
    }
    static final int NDMSG_LEN = 12;
    static final int NDA_DST = 1;
    static final int NDA_LLADDR = 2;
    static final int NDA_VNI = 7;
    static final int NDA_MASTER = 9;

    /** How an add treats an existing entry: the request's flags. */
    enum Mode {
        /** {@code NLM_F_CREATE|NLM_F_EXCL}: {@code EEXIST} if present ({@code ip neigh add}, {@code bridge fdb add}). */
        ADD(NlMessage.F_CREATE | NlMessage.F_EXCL),
        /** {@code NLM_F_CREATE|NLM_F_APPEND}: another remote for the same MAC ({@code bridge fdb append}). */
        APPEND(NlMessage.F_CREATE | NlMessage.F_APPEND),
        /** {@code NLM_F_CREATE|NLM_F_REPLACE}: create or overwrite ({@code ip neigh replace}). */
        REPLACE(NlMessage.F_CREATE | NlMessage.F_REPLACE);

        final int flags;

        Mode(int flags) {
            this.flags = flags;
        }
    }

    private NeighCodec() {
    }

    static NlMessageBuilder newNeigh(Neigh n, Mode mode) {
        return write(new NlMessageBuilder(RTM_NEWNEIGH, mode.flags), n);
    }

    static NlMessageBuilder delNeigh(Neigh n) {
        return write(new NlMessageBuilder(RTM_DELNEIGH, 0), n);
    }

    static NlMessageBuilder dumpNeighs(Family f) {
        NlMessageBuilder b = new NlMessageBuilder(RTM_GETNEIGH, NlMessage.F_DUMP);
        return b.u8(f.number()).u8(0).u16(0).u32(0).u16(0).u8(0).u8(0);
    }

    private static NlMessageBuilder write(NlMessageBuilder b, Neigh n) {
        b.u8(n.family().number()).u8(0).u16(0).u32(n.linkIndex()).u16(n.state()).u8(n.flags()).u8(0);
        if (n.ip() != null) {
            b.attrInet(NDA_DST, n.ip());
        }
        if (n.mac() != null) {
            b.attr(NDA_LLADDR, n.mac().bytes());
        }
        if (n.vni() != Neigh.NO_VNI) {
            b.attrU32(NDA_VNI, n.vni());
        }
        return b;
    }

    /** Reads an {@code RTM_NEWNEIGH}; null for a family this library does not model. */
    static Neigh parse(NlMessage m) {
        var p = m.payload();
        if (p.remaining() < NDMSG_LEN) {
            throw NetlinkException.malformed("RTM_NEWNEIGH shorter than struct ndmsg");
        }
        int fam = p.get(0) & 0xff;
        if (fam != Family.INET.number() && fam != Family.INET6.number() && fam != Family.BRIDGE.number()) {
            return null;
        }
        Family family = Family.ofNumber(fam);
        int index = p.getInt(4);
        int state = p.getShort(8) & 0xffff;
        int flags = p.get(10) & 0xff;
        NlAttributes at = m.attributes(NDMSG_LEN);
        NlAttribute dst = at.get(NDA_DST);
        NlAttribute ll = at.get(NDA_LLADDR);
        InetAddress ip = dst == null ? null : dst.inet();
        MacAddress mac = ll != null && ll.length() == 6 ? ll.mac() : null;
        if (family != Family.BRIDGE && ip == null || family == Family.BRIDGE && mac == null) {
            return null;
        }
        return new Neigh(family, index, ip, mac, state, flags, at.u32(NDA_VNI, Neigh.NO_VNI),
                at.u32(NDA_MASTER, 0));
    }
}
