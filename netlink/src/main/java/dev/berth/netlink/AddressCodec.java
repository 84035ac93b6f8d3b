package dev.berth.netlink;

/** {@code RTM_*ADDR} messages: {@code struct ifaddrmsg} (8 bytes) and {@code IFA_*} attributes. Pure. */
final class AddressCodec {
    static final int RTM_NEWADDR = 20;
    static final int RTM_DELADDR = 21;
    static final int RTM_GETADDR = 22;
    static final int IFADDRMSG_LEN = 8;
    static final int IFA_ADDRESS = 1;
    static final int IFA_LOCAL = 2;
    static final int IFA_LABEL = 3;
    static final int IFA_BROADCAST = 4;
    static final int IFA_FLAGS = 8;

    private AddressCodec() {
    }

    /** {@code ip addr add}: with {@code NLM_F_CREATE|NLM_F_EXCL}, or {@code ip addr replace} with REPLACE. */
    static NlMessageBuilder newAddr(Address a, boolean replace) {
        int flags = NlMessage.F_CREATE | (replace ? NlMessage.F_REPLACE : NlMessage.F_EXCL);
        return write(new NlMessageBuilder(RTM_NEWADDR, flags), a);
    }

    static NlMessageBuilder delAddr(Address a) {
        return write(new NlMessageBuilder(RTM_DELADDR, 0), a);
    }

    static NlMessageBuilder dumpAddrs(Family f) {
        NlMessageBuilder b = new NlMessageBuilder(RTM_GETADDR, NlMessage.F_DUMP);
        return b.u8(f.number()).u8(0).u8(0).u8(0).u32(0);
    }

    private static NlMessageBuilder write(NlMessageBuilder b, Address a) {
        b.u8(a.family().number()).u8(a.prefix().length()).u8(a.flags() & 0xff).u8(a.scope()).u32(a.linkIndex());
        b.attrInet(IFA_LOCAL, a.prefix().address());
        b.attrInet(IFA_ADDRESS, a.prefix().address());
        if (a.broadcast() != null) {
            b.attrInet(IFA_BROADCAST, a.broadcast());
        }
        if (a.label() != null) {
            b.attrString(IFA_LABEL, a.label());
        }
        if ((a.flags() & ~0xff) != 0) {
            b.attrU32(IFA_FLAGS, a.flags());
        }
        return b;
    }

    /** Reads an {@code RTM_NEWADDR}; null for a family other than IPv4 and IPv6. */
    static Address parse(NlMessage m) {
        var p = m.payload();
        if (p.remaining() < IFADDRMSG_LEN) {
            throw NetlinkException.malformed("RTM_NEWADDR shorter than struct ifaddrmsg");
        }
        int fam = p.get(0) & 0xff;
        if (fam != Family.INET.number() && fam != Family.INET6.number()) {
            return null;
        }
        int prefixLen = p.get(1) & 0xff;
        int flags = p.get(2) & 0xff;
        int scope = p.get(3) & 0xff;
        int index = p.getInt(4);
        NlAttributes at = m.attributes(IFADDRMSG_LEN);
        NlAttribute local = at.get(IFA_LOCAL);
        if (local == null) {
            local = at.get(IFA_ADDRESS);
        }
        if (local == null) {
            throw NetlinkException.malformed("RTM_NEWADDR without IFA_LOCAL or IFA_ADDRESS");
        }
        NlAttribute brd = at.get(IFA_BROADCAST);
        return new Address(index, new IpPrefix(local.inet(), prefixLen), brd == null ? null : brd.inet(), scope,
                at.string(IFA_LABEL), at.u32(IFA_FLAGS, flags));
    }
}
