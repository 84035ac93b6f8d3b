package dev.berth.netlink;

/**
 * One attribute of a generic netlink message: its type ({@code NLA_F_NESTED} and {@code NLA_F_NET_BYTEORDER}
 * removed) and typed reads of its value, in host byte order. A value shorter than the read is malformed
 * ({@link NetlinkException}).
 */
public final class GenlAttribute {
    private final NlAttribute attr;

    GenlAttribute(NlAttribute attr) {
        this.attr = attr;
    }

    public int type() {
        return attr.type();
    }

    /** The value's length in bytes (padding excluded). */
    public int length() {
        return attr.length();
    }

    public int u8() {
        return attr.u8();
    }

    public int u16() {
        return attr.u16();
    }

    public int u32() {
        return attr.u32();
    }

    public long u64() {
        return attr.u64();
    }

    public byte[] bytes() {
        return attr.bytes();
    }

    /** A string, up to its first NUL. */
    public String string() {
        return attr.string();
    }

    public GenlAttributes nested() {
        return new GenlAttributes(attr.nested());
    }

    @Override
    public String toString() {
        return "attribute " + type() + " (" + length() + " bytes)";
    }
}
