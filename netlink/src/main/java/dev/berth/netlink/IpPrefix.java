package dev.berth.netlink;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * An address with a prefix length, as in {@code 10.0.0.1/24} or {@code fd00::1/64}. For an interface address the host
 * bits are kept; {@link #network()} clears them (a route destination).
 */
public record IpPrefix(InetAddress address, int length) {
    public IpPrefix {
        if (address == null) {
            throw new IllegalArgumentException("address is required");
        }
        if (length < 0 || length > bits(address)) {
            throw new IllegalArgumentException("prefix length " + length + " is out of range for " + address);
        }
    }

    /** Parses {@code 10.0.0.1/24}; without {@code /N} the prefix is the whole address (/32 or /128). */
    public static IpPrefix parse(String s) {
        int slash = s.indexOf('/');
        InetAddress a = Inet.parse(slash < 0 ? s : s.substring(0, slash));
        int len;
        try {
            len = slash < 0 ? bits(a) : Integer.parseInt(s.substring(slash + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a prefix: " + s, e);
        }
        return new IpPrefix(a, len);
    }

    public static IpPrefix of(InetAddress address, int length) {
        return new IpPrefix(address, length);
    }

    public Family family() {
        return Family.of(address);
    }

    /** The same prefix with the host bits cleared: {@code 10.0.0.1/24} gives {@code 10.0.0.0/24}. */
    public IpPrefix network() {
        byte[] b = address.getAddress();
        for (int i = 0; i < b.length; i++) {
            int keep = Math.max(0, Math.min(8, length - 8 * i));
            b[i] &= (byte) (0xff << (8 - keep));
        }
        try {
            return new IpPrefix(InetAddress.getByAddress(b), length);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    public boolean contains(InetAddress a) {
        return a.getClass() == address.getClass() && new IpPrefix(a, length).network().equals(network());
    }

    static int bits(InetAddress a) {
        return a instanceof Inet4Address ? 32 : 128;
    }

    @Override
    public String toString() {
        return Inet.format(address) + "/" + length;
    }
}
