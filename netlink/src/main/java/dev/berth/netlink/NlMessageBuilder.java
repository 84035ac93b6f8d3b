package dev.berth.netlink;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Writes one netlink message: the 16-byte {@code struct nlmsghdr}, the family's fixed header (written field by field
 * with {@link #u8}, {@link #u16}, {@link #u32}), then attributes ({@code struct nlattr}: length, type, value, padding to
 * 4 bytes), nested with {@link #nestStart}/{@link #nestEnd}. Host byte order, as the kernel expects, except where an
 * attribute is defined big-endian ({@link #attrBe16}). Not protocol-specific: rtnetlink and generic netlink share it.
 *
 * <p>The length, sequence number and port ID are filled in by {@link #build}, so one builder can be sent again (a dump
 * retried after {@code NLM_F_DUMP_INTR}) with a new sequence number.
 */
final class NlMessageBuilder {
    static final int HEADER_LEN = 16;
    private static final int ATTR_HEADER_LEN = 4;

    private ByteBuffer buf = ByteBuffer.allocate(256).order(ByteOrder.nativeOrder());
    private final int type;
    private int flags;

    NlMessageBuilder(int type, int flags) {
        this.type = type;
        this.flags = flags;
        buf.position(HEADER_LEN);
    }

    int type() {
        return type;
    }

    int flags() {
        return flags;
    }

    /** Adds flags to the header (the socket adds {@code NLM_F_REQUEST | NLM_F_ACK}). */
    NlMessageBuilder addFlags(int more) {
        flags |= more;
        return this;
    }

    // ---- raw fields of the fixed header (no alignment between them)

    NlMessageBuilder u8(int v) {
        ensure(1).put((byte) v);
        return this;
    }

    NlMessageBuilder u16(int v) {
        ensure(2).putShort((short) v);
        return this;
    }

    NlMessageBuilder u32(int v) {
        ensure(4).putInt(v);
        return this;
    }

    NlMessageBuilder bytes(byte[] b) {
        ensure(b.length).put(b);
        return this;
    }

    /** Pads with zeros to the next 4-byte boundary ({@code NLMSG_ALIGN} / {@code NLA_ALIGN}). */
    NlMessageBuilder align() {
        int pad = align(buf.position()) - buf.position();
        ensure(pad).put(new byte[pad]);
        return this;
    }

    // ---- attributes

    NlMessageBuilder attr(int attrType, byte[] value) {
        align();
        ensure(ATTR_HEADER_LEN + value.length);
        buf.putShort((short) (ATTR_HEADER_LEN + value.length)).putShort((short) attrType).put(value);
        return align();
    }

    NlMessageBuilder attrFlag(int attrType) {
        return attr(attrType, new byte[0]);
    }

    NlMessageBuilder attrU8(int attrType, int v) {
        return attr(attrType, new byte[] {(byte) v});
    }

    NlMessageBuilder attrU16(int attrType, int v) {
        return attr(attrType, ByteBuffer.allocate(2).order(ByteOrder.nativeOrder()).putShort((short) v).array());
    }

    NlMessageBuilder attrU32(int attrType, int v) {
        return attr(attrType, ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(v).array());
    }

    /** A 16-bit value in network byte order (ports: {@code IFLA_VXLAN_PORT}, {@code NDA_PORT}). */
    NlMessageBuilder attrBe16(int attrType, int v) {
        return attr(attrType, new byte[] {(byte) (v >>> 8), (byte) v});
    }

    /** A NUL-terminated string ({@code NLA_NUL_STRING} / {@code NLA_STRING} both accept it). */
    NlMessageBuilder attrString(int attrType, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        return attr(attrType, Arrays.copyOf(b, b.length + 1));
    }

    /** An address in its network-order bytes: 4 for IPv4, 16 for IPv6. */
    NlMessageBuilder attrInet(int attrType, InetAddress a) {
        return attr(attrType, a.getAddress());
    }

    /**
     * Opens a nested attribute; returns its offset for {@link #nestEnd}. The type is written as given: pass
     * {@code type | NLA_F_NESTED} where the family wants the flag (generic netlink); rtnetlink's older nests, like
     * iproute2, go without it.
     */
    int nestStart(int attrType) {
        align();
        int start = buf.position();
        ensure(ATTR_HEADER_LEN).putShort((short) 0).putShort((short) attrType);
        return start;
    }

    NlMessageBuilder nestEnd(int start) {
        buf.putShort(start, (short) (buf.position() - start));
        return align();
    }

    /** The message's bytes with its length, {@code seq} and {@code portId} set. */
    byte[] build(int seq, int portId) {
        align();
        int len = buf.position();
        ByteBuffer out = ByteBuffer.allocate(len).order(ByteOrder.nativeOrder());
        out.put(buf.array(), 0, len);
        out.putInt(0, len).putShort(4, (short) type).putShort(6, (short) flags).putInt(8, seq).putInt(12, portId);
        return out.array();
    }

    static int align(int n) {
        return (n + 3) & ~3;
    }

    private ByteBuffer ensure(int more) {
        if (buf.remaining() < more) {
            ByteBuffer bigger = ByteBuffer.allocate(Math.max(buf.capacity() * 2, buf.position() + more))
                    .order(ByteOrder.nativeOrder());
            bigger.put(buf.array(), 0, buf.position());
            buf = bigger;
        }
        return buf;
    }
}
