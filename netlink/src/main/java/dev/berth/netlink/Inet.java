package dev.berth.netlink;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/** Literal addresses only: never a name lookup. */
final class Inet {
    private Inet() {
    }

    static InetAddress parse(String literal) {
        String s = literal.trim();
        boolean v4 = s.matches("\\d{1,3}(\\.\\d{1,3}){3}");
        boolean v6 = s.indexOf(':') >= 0 && s.matches("[0-9A-Fa-f:.]+");
        if (!v4 && !v6) {
            throw new IllegalArgumentException("not an IP address literal: " + literal);
        }
        try {
            InetAddress a = InetAddress.getByName(s);
            if (v4 != (a instanceof Inet4Address)) {
                throw new IllegalArgumentException("not an IP address literal: " + literal);
            }
            return a;
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not an IP address literal: " + literal, e);
        }
    }

    static InetAddress of(byte[] b) {
        try {
            return InetAddress.getByAddress(b);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("an address has 4 or 16 bytes, not " + b.length, e);
        }
    }

    /** As iproute2 prints it: IPv6 in RFC 5952's short form ({@code fd00::1}, not {@code fd00:0:0:0:0:0:0:1}). */
    static String format(InetAddress a) {
        if (!(a instanceof Inet6Address)) {
            return a.getHostAddress();
        }
        byte[] b = a.getAddress();
        int[] g = new int[8];
        for (int i = 0; i < 8; i++) {
            g[i] = ((b[2 * i] & 0xff) << 8) | (b[2 * i + 1] & 0xff);
        }
        int bestStart = -1;
        int bestLen = 1;
        for (int i = 0; i < 8; ) {
            int j = i;
            while (j < 8 && g[j] == 0) {
                j++;
            }
            if (j - i > bestLen) {
                bestStart = i;
                bestLen = j - i;
            }
            i = j == i ? i + 1 : j;
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                sb.append(i == 0 ? "::" : ":");
                i += bestLen - 1;
                continue;
            }
            sb.append(Integer.toHexString(g[i]));
            if (i < 7) {
                sb.append(':');
            }
        }
        return sb.toString();
    }

    /** The unspecified address of a family: {@code 0.0.0.0} or {@code ::}. */
    static InetAddress any(Family f) {
        return of(new byte[f == Family.INET6 ? 16 : 4]);
    }

    static boolean isV6(InetAddress a) {
        return a instanceof Inet6Address;
    }
}
