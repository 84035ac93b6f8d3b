package dev.berth.netlink;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The attributes of one message or one nest, in order. Lookups by type return the last occurrence, as the kernel's
 * {@code nla_parse} does; {@link #all} returns every one (arrays such as generic netlink's multicast groups).
 */
final class NlAttributes {
    private final List<NlAttribute> attrs;

    private NlAttributes(List<NlAttribute> attrs) {
        this.attrs = Collections.unmodifiableList(attrs);
    }

    /** Parses attributes from the buffer's position to its limit; the buffer's position is not moved. */
    static NlAttributes parse(ByteBuffer src) {
        ByteBuffer b = src.duplicate().order(ByteOrder.nativeOrder());
        List<NlAttribute> out = new ArrayList<>();
        while (b.remaining() >= 4) {
            int start = b.position();
            int len = b.getShort(start) & 0xffff;
            int type = (b.getShort(start + 2) & 0xffff) & NlAttribute.TYPE_MASK;
            if (len < 4 || len > b.remaining()) {
                throw NetlinkException.malformed("attribute " + type + " has length " + len + " with "
                        + b.remaining() + " bytes left");
            }
            out.add(new NlAttribute(type, b.duplicate().position(start + 4).limit(start + len)));
            b.position(Math.min(b.limit(), start + NlMessageBuilder.align(len)));
        }
        return new NlAttributes(out);
    }

    List<NlAttribute> list() {
        return attrs;
    }

    NlAttribute get(int type) {
        for (int i = attrs.size() - 1; i >= 0; i--) {
            if (attrs.get(i).type() == type) {
                return attrs.get(i);
            }
        }
        return null;
    }

    boolean has(int type) {
        return get(type) != null;
    }

    List<NlAttribute> all(int type) {
        List<NlAttribute> out = new ArrayList<>();
        for (NlAttribute a : attrs) {
            if (a.type() == type) {
                out.add(a);
            }
        }
        return out;
    }

    int u32(int type, int absent) {
        NlAttribute a = get(type);
        return a == null ? absent : a.u32();
    }

    int u8(int type, int absent) {
        NlAttribute a = get(type);
        return a == null ? absent : a.u8();
    }

    String string(int type) {
        NlAttribute a = get(type);
        return a == null ? null : a.string();
    }

    NlAttributes nested(int type) {
        NlAttribute a = get(type);
        return a == null ? new NlAttributes(List.of()) : a.nested();
    }

    int size() {
        return attrs.size();
    }
}
