package dev.berth.ipam;

import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.regex.Pattern;

/**
 * An IPv4 or IPv6 prefix such as {@code 10.1.0.0/16} or {@code fd00:1::/64}, always in network form (host bits zero).
 * Addresses inside it are numbered by offset from the network address, so allocation never scans: offset n is
 * {@link #addressAt(BigInteger)}, and {@link #offsetOf(InetAddress)} goes back.
 */
public record Cidr(byte[] network, int prefix) implements Comparable<Cidr> {
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]+");

    public Cidr {
        network = network.clone();
        if (network.length != 4 && network.length != 16) {
            throw new IllegalArgumentException("an address has 4 or 16 bytes, not " + network.length);
        }
        if (prefix < 0 || prefix > network.length * 8) {
            throw new IllegalArgumentException("prefix length " + prefix + " out of range for " + bits(network) + " bits");
        }
        byte[] masked = mask(network, prefix);
        if (!Arrays.equals(masked, network)) {
            throw new IllegalArgumentException(format(network) + "/" + prefix + " has host bits set; the network is "
                    + format(masked) + "/" + prefix);
        }
    }

    /** Parses {@code a.b.c.d/n} or {@code x::y/n}; host bits must be zero. Never resolves names. */
    public static Cidr parse(String text) {
        int slash = text == null ? -1 : text.indexOf('/');
        if (slash < 0) {
            throw new IllegalArgumentException("'" + text + "' is not a CIDR (address/prefix-length)");
        }
        byte[] addr = parseAddress(text.substring(0, slash));
        int prefix;
        try {
            prefix = Integer.parseInt(text.substring(slash + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "': prefix length is not a number");
        }
        return new Cidr(addr, prefix);
    }

    /** A literal IPv4 or IPv6 address (no names, no zone); throws IllegalArgumentException otherwise. */
    public static byte[] parseAddress(String text) {
        byte[] quick = parseIpv4(text);
        if (quick != null) {
            return quick;
        }
        String t = text.trim();
        boolean v4 = IPV4.matcher(t).matches();
        if (!v4 && !(t.contains(":") && IPV6.matcher(t).matches())) {
            throw new IllegalArgumentException("'" + text + "' is not an IP address");
        }
        if (v4) {
            for (String part : t.split("\\.")) {
                if (Integer.parseInt(part) > 255 || (part.length() > 1 && part.startsWith("0"))) {
                    throw new IllegalArgumentException("'" + text + "' is not an IPv4 address");
                }
            }
        }
        try {
            byte[] raw = InetAddress.getByName(t).getAddress();
            if (!v4 && raw.length == 4) {
                throw new IllegalArgumentException("'" + text + "': use plain IPv4 notation, not IPv4-mapped IPv6");
            }
            return raw;
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("'" + text + "' is not an IP address");
        }
    }

    /** Plain dotted-quad IPv4 without leading zeros, parsed by hand (the hot path); null when it is anything else. */
    private static byte[] parseIpv4(String t) {
        byte[] out = new byte[4];
        int part = 0;
        int value = -1;
        int digits = 0;
        for (int i = 0; i <= t.length(); i++) {
            char c = i < t.length() ? t.charAt(i) : '.';
            if (c >= '0' && c <= '9') {
                if (digits > 0 && value == 0) {
                    return null;
                }
                value = (value < 0 ? 0 : value * 10) + (c - '0');
                if (++digits > 3 || value > 255) {
                    return null;
                }
            } else if (c == '.' && digits > 0 && part < 4) {
                out[part++] = (byte) value;
                value = -1;
                digits = 0;
            } else {
                return null;
            }
        }
        return part == 4 ? out : null;
    }

    public boolean isIpv6() {
        return network.length == 16;
    }

    @Override
    public byte[] network() {
        return network.clone();
    }

    /** How many addresses the prefix spans (2^(bits - prefix)). */
    public BigInteger size() {
        return BigInteger.ONE.shiftLeft(bits(network) - prefix);
    }

    public boolean contains(byte[] address) {
        return address.length == network.length && Arrays.equals(mask(address, prefix), network);
    }

    public boolean contains(Cidr other) {
        return other.network.length == network.length && other.prefix >= prefix && contains(other.network);
    }

    public boolean overlaps(Cidr other) {
        return contains(other) || other.contains(this);
    }

    /** The address at offset n from the network address (0 = network address). */
    public byte[] addressAt(BigInteger offset) {
        if (offset.signum() < 0 || offset.compareTo(size()) >= 0) {
            throw new IllegalArgumentException("offset " + offset + " is outside " + this);
        }
        return toBytes(new BigInteger(1, network).add(offset), network.length);
    }

    /** The offset of an address inside this prefix. */
    public BigInteger offsetOf(byte[] address) {
        if (!contains(address)) {
            throw new IllegalArgumentException(format(address) + " is not in " + this);
        }
        return new BigInteger(1, address).subtract(new BigInteger(1, network));
    }

    /** The n-th sub-prefix of the given length (n counted from the network address). */
    public Cidr subnet(int newPrefix, BigInteger index) {
        if (newPrefix < prefix || newPrefix > bits(network)) {
            throw new IllegalArgumentException("/" + newPrefix + " does not fit in " + this);
        }
        BigInteger step = BigInteger.ONE.shiftLeft(bits(network) - newPrefix);
        return new Cidr(addressAt(step.multiply(index)), newPrefix);
    }

    /** How many sub-prefixes of the given length this one holds. */
    public BigInteger subnetCount(int newPrefix) {
        return BigInteger.ONE.shiftLeft(newPrefix - prefix);
    }

    /** {@code a.b.c.d/n} of an address with this prefix's length, as Docker expects in RequestAddress answers. */
    public String withPrefix(byte[] address) {
        return format(address) + "/" + prefix;
    }

    public static String format(byte[] address) {
        if (address.length == 4) {
            return (address[0] & 0xff) + "." + (address[1] & 0xff) + "." + (address[2] & 0xff) + "." + (address[3] & 0xff);
        }
        try {
            String s = InetAddress.getByAddress(address).getHostAddress();
            return address.length == 16 ? compress(s) : s;
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }

    /** The shortest textual IPv6 form (RFC 5952: longest run of zero groups as ::, lowercase). */
    private static String compress(String full) {
        String[] groups = full.split(":");
        int bestStart = -1;
        int bestLen = 0;
        for (int i = 0; i < groups.length; ) {
            if (groups[i].equals("0")) {
                int j = i;
                while (j < groups.length && groups[j].equals("0")) {
                    j++;
                }
                if (j - i > bestLen && j - i > 1) {
                    bestStart = i;
                    bestLen = j - i;
                }
                i = j;
            } else {
                i++;
            }
        }
        if (bestStart < 0) {
            return String.join(":", groups);
        }
        String head = String.join(":", Arrays.copyOfRange(groups, 0, bestStart));
        String tail = String.join(":", Arrays.copyOfRange(groups, bestStart + bestLen, groups.length));
        return head + "::" + tail;
    }

    /** The address with every bit after the first {@code prefix} cleared. */
    static byte[] mask(byte[] address, int prefix) {
        byte[] out = address.clone();
        for (int i = 0; i < out.length; i++) {
            int keep = Math.max(0, Math.min(8, prefix - i * 8));
            out[i] = (byte) (out[i] & (0xff << (8 - keep)));
        }
        return out;
    }

    private static byte[] toBytes(BigInteger value, int length) {
        byte[] raw = value.toByteArray();
        byte[] out = new byte[length];
        int copy = Math.min(raw.length, length);
        System.arraycopy(raw, raw.length - copy, out, length - copy, copy);
        return out;
    }

    private static int bits(byte[] address) {
        return address.length * 8;
    }

    @Override
    public int compareTo(Cidr o) {
        int c = Integer.compare(network.length, o.network.length);
        if (c != 0) {
            return c;
        }
        c = Arrays.compareUnsigned(network, o.network);
        return c != 0 ? c : Integer.compare(prefix, o.prefix);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Cidr c && prefix == c.prefix && Arrays.equals(network, c.network);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(network) * 31 + prefix;
    }

    @Override
    public String toString() {
        return format(network) + "/" + prefix;
    }
}
