package dev.berth.netlink;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * One received netlink message: the fields of {@code struct nlmsghdr} and its payload (the family's fixed header
 * followed by attributes). A datagram from the kernel may hold several; {@link #parseAll} splits them.
 */
record NlMessage(int type, int flags, int seq, int portId, ByteBuffer payload) {
    // netlink.h
    static final int NLMSG_NOOP = 1;
    static final int NLMSG_ERROR = 2;
    static final int NLMSG_DONE = 3;
    static final int NLMSG_OVERRUN = 4;
    static final int F_REQUEST = 0x01;
    static final int F_MULTI = 0x02;
    static final int F_ACK = 0x04;
    static final int F_DUMP_INTR = 0x10;
    static final int F_DUMP = 0x300;
    static final int F_REPLACE = 0x100;
    static final int F_EXCL = 0x200;
    static final int F_CREATE = 0x400;
    static final int F_APPEND = 0x800;
    /** On an {@code NLMSG_ERROR}: the request's payload was not echoed back. */
    static final int F_CAPPED = 0x100;
    /** On an {@code NLMSG_ERROR}: extended-ACK attributes follow. */
    static final int F_ACK_TLVS = 0x200;

    NlMessage {
        payload = payload.slice().order(ByteOrder.nativeOrder());
    }

    /** Splits a datagram into its messages; a truncated or inconsistent header is malformed. */
    static List<NlMessage> parseAll(ByteBuffer datagram) {
        ByteBuffer b = datagram.duplicate().order(ByteOrder.nativeOrder());
        List<NlMessage> out = new ArrayList<>();
        while (b.remaining() >= NlMessageBuilder.HEADER_LEN) {
            int start = b.position();
            int len = b.getInt(start);
            if (len < NlMessageBuilder.HEADER_LEN || len > b.remaining()) {
                throw NetlinkException.malformed("message length " + len + " with " + b.remaining() + " bytes left");
            }
            int type = b.getShort(start + 4) & 0xffff;
            int flags = b.getShort(start + 6) & 0xffff;
            int seq = b.getInt(start + 8);
            int pid = b.getInt(start + 12);
            ByteBuffer payload = b.duplicate().position(start + NlMessageBuilder.HEADER_LEN).limit(start + len);
            out.add(new NlMessage(type, flags, seq, pid, payload));
            b.position(Math.min(b.limit(), start + NlMessageBuilder.align(len)));
        }
        return out;
    }

    /** The attributes after a fixed header of {@code fixedLen} bytes (aligned to 4). */
    NlAttributes attributes(int fixedLen) {
        int off = NlMessageBuilder.align(fixedLen);
        if (payload.remaining() < off) {
            throw NetlinkException.malformed("message type " + type + " is shorter than its " + fixedLen
                    + "-byte header");
        }
        return NlAttributes.parse(payload.duplicate().position(off));
    }

    boolean isMulti() {
        return (flags & F_MULTI) != 0;
    }
}
