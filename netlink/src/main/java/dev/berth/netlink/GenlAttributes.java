package dev.berth.netlink;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * The attributes of one generic netlink message or nest, in order, for family drivers outside this package. Lookups
 * by type return the last occurrence, as the kernel's {@code nla_parse} does; {@link #all()} keeps arrays (a nest of
 * peers whose entries all have type 0).
 */
public final class GenlAttributes {
    private final NlAttributes attrs;

    GenlAttributes(NlAttributes attrs) {
        this.attrs = attrs;
    }

    /**
     * The attributes of one whole netlink message ({@code nlmsghdr}, {@code genlmsghdr}, a family header of
     * {@code familyHeaderSize} bytes, attributes): for replaying captured or hand-built replies in tests.
     */
    public static GenlAttributes ofMessage(byte[] message, int familyHeaderSize) {
        List<NlMessage> m = NlMessage.parseAll(ByteBuffer.wrap(message).order(ByteOrder.nativeOrder()));
        if (m.size() != 1) {
            throw NetlinkException.malformed("expected one message, found " + m.size());
        }
        return new GenlAttributes(m.get(0).attributes(GenlCodec.GENL_HDR_LEN + familyHeaderSize));
    }

    /** Every attribute, in order. */
    public List<GenlAttribute> all() {
        List<GenlAttribute> out = new ArrayList<>(attrs.size());
        for (NlAttribute a : attrs.list()) {
            out.add(new GenlAttribute(a));
        }
        return out;
    }

    /** The last attribute of this type, or null. */
    public GenlAttribute get(int type) {
        NlAttribute a = attrs.get(type);
        return a == null ? null : new GenlAttribute(a);
    }

    public boolean has(int type) {
        return attrs.has(type);
    }

    /** The attributes nested in the last one of this type; empty when there is none. */
    public GenlAttributes nested(int type) {
        return new GenlAttributes(attrs.nested(type));
    }

    public int size() {
        return attrs.size();
    }
}
