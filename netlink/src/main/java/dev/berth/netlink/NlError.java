package dev.berth.netlink;

/**
 * The payload of {@code NLMSG_ERROR} ({@code struct nlmsgerr}: a negative errno, or 0 for an ACK, then the request's
 * header, its payload unless {@code NLM_F_CAPPED}, then extended-ACK attributes if {@code NLM_F_ACK_TLVS}), or of a
 * dump's {@code NLMSG_DONE} (an int status, then extended-ACK attributes).
 *
 * @param errno         positive errno; 0 for success
 * @param kernelMessage {@code NLMSGERR_ATTR_MSG}, or null
 * @param badOffset     {@code NLMSGERR_ATTR_OFFS}: offset of the offending attribute in the request, or -1
 */
record NlError(int errno, String kernelMessage, int badOffset) {
    static final int NLMSGERR_ATTR_MSG = 1;
    static final int NLMSGERR_ATTR_OFFS = 2;

    static NlError parse(NlMessage m) {
        var p = m.payload();
        if (p.remaining() < 4) {
            throw NetlinkException.malformed("NLMSG_ERROR shorter than its error code");
        }
        int error = p.getInt(0);
        int tlvs = -1;
        if ((m.flags() & NlMessage.F_ACK_TLVS) != 0 && p.remaining() >= 4 + NlMessageBuilder.HEADER_LEN) {
            int origLen = p.getInt(4);
            boolean capped = (m.flags() & NlMessage.F_CAPPED) != 0;
            tlvs = 4 + (capped ? NlMessageBuilder.HEADER_LEN : NlMessageBuilder.align(origLen));
        }
        return withTlvs(-error, m, tlvs);
    }

    static NlError parseDone(NlMessage m) {
        var p = m.payload();
        int status = p.remaining() >= 4 ? p.getInt(0) : 0;
        int tlvs = (m.flags() & NlMessage.F_ACK_TLVS) != 0 ? 4 : -1;
        return withTlvs(status < 0 ? -status : 0, m, tlvs);
    }

    private static NlError withTlvs(int errno, NlMessage m, int offset) {
        String msg = null;
        int off = -1;
        var p = m.payload();
        if (offset >= 0 && offset <= p.remaining()) {
            NlAttributes at = NlAttributes.parse(p.duplicate().position(offset));
            msg = at.string(NLMSGERR_ATTR_MSG);
            off = at.u32(NLMSGERR_ATTR_OFFS, -1);
        }
        return new NlError(errno, msg, off);
    }

    NetlinkException toException(String op) {
        return new NetlinkException(op, errno, kernelMessage);
    }
}
