package dev.berth.netlink;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * One parsed {@code struct nlattr}: its type (with the {@code NLA_F_NESTED} and {@code NLA_F_NET_BYTEORDER} bits
 * removed) and a read-only view of its value.
 */
record NlAttribute(int type, ByteBuffer value) {
    static final int F_NESTED = 0x8000;
    static final int F_NET_BYTEORDER = 0x4000;
    static final int TYPE_MASK = ~(F_NESTED | F_NET_BYTEORDER) & 0xffff;

    NlAttribute {
        value = value.slice().order(ByteOrder.nativeOrder()).asReadOnlyBuffer().order(ByteOrder.nativeOrder());
    }

    int length() {
        return value.remaining();
    }

    int u8() {
        need(1);
        return value.get(0) & 0xff;
    }

    int u16() {
        need(2);
        return value.getShort(0) & 0xffff;
    }

    int u32() {
        need(4);
        return value.getInt(0);
    }

    long u64() {
        need(8);
        return value.getLong(0);
    }

    int be16() {
        need(2);
        return ((value.get(0) & 0xff) << 8) | (value.get(1) & 0xff);
    }

    byte[] bytes() {
        byte[] b = new byte[value.remaining()];
        value.duplicate().get(b);
        return b;
    }

    /** A string, up to its first NUL if it has one. */
    String string() {
        byte[] b = bytes();
        int n = 0;
        while (n < b.length && b[n] != 0) {
            n++;
        }
        return new String(b, 0, n, StandardCharsets.UTF_8);
    }

    /** An IPv4 (4 bytes) or IPv6 (16 bytes) address. */
    InetAddress inet() {
        if (length() != 4 && length() != 16) {
            throw NetlinkException.malformed("attribute " + type + " holds " + length() + " bytes, not an address");
        }
        try {
            return InetAddress.getByAddress(bytes());
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    MacAddress mac() {
        return MacAddress.of(bytes());
    }

    /** The attributes nested in this one. */
    NlAttributes nested() {
        return NlAttributes.parse(value);
    }

    private void need(int n) {
        if (value.remaining() < n) {
            throw NetlinkException.malformed("attribute " + type + " holds " + value.remaining()
                    + " bytes, expected " + n);
        }
    }
}
