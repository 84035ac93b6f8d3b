package dev.berth.netlink;

import java.net.Inet4Address;
import java.net.InetAddress;

/** Address families as netlink numbers them ({@code AF_*}). */
public enum Family {
    /** {@code AF_UNSPEC}: in a list call, every family. */
    ALL(0),
    INET(2),
    INET6(10),
    /** {@code AF_BRIDGE}: forwarding database entries ({@code bridge fdb}). */
    BRIDGE(7);

    private final int number;

    Family(int number) {
        this.number = number;
    }

    public int number() {
        return number;
    }

    public static Family of(InetAddress a) {
        return a instanceof Inet4Address ? INET : INET6;
    }

    public static Family ofNumber(int n) {
        for (Family f : values()) {
            if (f.number == n) {
                return f;
            }
        }
        throw new IllegalArgumentException("address family " + n + " is not one of " + java.util.Arrays.toString(values()));
    }

    /** True when {@code ALL} or equal: a list filter. */
    boolean admits(Family f) {
        return this == ALL || this == f;
    }
}
