package dev.berth.netlink;

/**
 * {@code RTM_*RULE} messages: {@code struct fib_rule_hdr} (12 bytes) and {@code FRA_*} attributes. Only rules of
 * action {@code FR_ACT_TO_TBL} ({@code lookup}) are written; others are read back as null. Pure.
 */
final class RuleCodec {
    static final int RTM_NEWRULE = 32;
    static final int RTM_DELRULE = 33;
    static final int RTM_GETRULE = 34;
    static final int HDR_LEN = 12;
    static final int FRA_IIFNAME = 3;
    static final int FRA_PRIORITY = 6;
    static final int FRA_TABLE = 15;
    static final int FR_ACT_TO_TBL = 1;

    private RuleCodec() {
    }

    /** {@code ip rule add}: {@code NLM_F_CREATE|NLM_F_EXCL} (the kernel refuses an identical rule with EEXIST). */
    static NlMessageBuilder newRule(Rule r) {
        return write(new NlMessageBuilder(RTM_NEWRULE, NlMessage.F_CREATE | NlMessage.F_EXCL), r);
    }

    /** {@code ip rule del}: the kernel deletes the first rule matching every attribute given. */
    static NlMessageBuilder delRule(Rule r) {
        return write(new NlMessageBuilder(RTM_DELRULE, 0), r);
    }

    static NlMessageBuilder dumpRules(Family f) {
        NlMessageBuilder b = new NlMessageBuilder(RTM_GETRULE, NlMessage.F_DUMP);
        return b.u8(f.number()).u8(0).u8(0).u8(0).u8(0).u8(0).u8(0).u8(0).u32(0);
    }

    private static NlMessageBuilder write(NlMessageBuilder b, Rule r) {
        b.u8(r.family().number()).u8(0).u8(0).u8(0).u8(r.table() < 256 ? r.table() : 0).u8(0).u8(0)
                .u8(FR_ACT_TO_TBL).u32(0);
        if (r.iifName() != null) {
            b.attrString(FRA_IIFNAME, r.iifName());
        }
        if (r.priority() > 0) {
            b.attrU32(FRA_PRIORITY, r.priority());
        }
        b.attrU32(FRA_TABLE, r.table());
        return b;
    }

    /** Reads an {@code RTM_NEWRULE}; null for a family other than IPv4/IPv6 or an action other than lookup. */
    static Rule parse(NlMessage m) {
        var p = m.payload();
        if (p.remaining() < HDR_LEN) {
            throw NetlinkException.malformed("RTM_NEWRULE shorter than struct fib_rule_hdr");
        }
        int fam = p.get(0) & 0xff;
        int table = p.get(4) & 0xff;
        int action = p.get(7) & 0xff;
        if ((fam != Family.INET.number() && fam != Family.INET6.number()) || action != FR_ACT_TO_TBL) {
            return null;
        }
        NlAttributes at = m.attributes(HDR_LEN);
        return new Rule(Family.ofNumber(fam), at.string(FRA_IIFNAME), at.u32(FRA_TABLE, table),
                at.u32(FRA_PRIORITY, 0));
    }
}
