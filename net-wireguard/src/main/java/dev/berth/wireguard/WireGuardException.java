package dev.berth.wireguard;

import dev.berth.netlink.NetlinkException;
import java.util.Map;

/**
 * A WireGuard device refused a change or could not be reached. Both backends report through this one type: the UAPI's
 * {@code errno=N} and the kernel's netlink errors carry the same errno values, and {@link #kind()} sorts them into
 * what a caller acts on. The message names the operation as wg(8) would ({@code "wg set wg0"}).
 */
public class WireGuardException extends RuntimeException {
    /** What a caller can do about it. */
    public enum Kind {
        /** No such device: no UAPI socket, nobody listening on it ({@code ECONNREFUSED}), {@code ENODEV}. */
        NOT_FOUND,
        /** {@code EEXIST}: a device of that name is already there. */
        EXISTS,
        /** {@code EINVAL}: a value the device rejected (bad key, port, prefix). */
        INVALID,
        /** {@code EPERM}, {@code EACCES}, or a key file others may read. */
        PERMISSION,
        /** {@code EADDRINUSE}: the listen port is taken. */
        ADDRESS_IN_USE,
        /** {@code EOPNOTSUPP} and friends: for example no WireGuard in this kernel. */
        NOT_SUPPORTED,
        /** {@code EPROTO}, or a reply this code could not read. */
        PROTOCOL,
        /** {@code EIO}, a broken connection, a timeout. */
        IO,
        /** Anything else. */
        OTHER
    }

    private static final Map<Integer, String> NAMES = Map.ofEntries(
            Map.entry(1, "EPERM"), Map.entry(2, "ENOENT"), Map.entry(5, "EIO"), Map.entry(6, "ENXIO"),
            Map.entry(12, "ENOMEM"), Map.entry(13, "EACCES"), Map.entry(17, "EEXIST"), Map.entry(19, "ENODEV"),
            Map.entry(22, "EINVAL"), Map.entry(34, "ERANGE"), Map.entry(71, "EPROTO"), Map.entry(90, "EMSGSIZE"),
            Map.entry(93, "EPROTONOSUPPORT"), Map.entry(95, "EOPNOTSUPP"), Map.entry(97, "EAFNOSUPPORT"),
            Map.entry(98, "EADDRINUSE"), Map.entry(105, "ENOBUFS"), Map.entry(110, "ETIMEDOUT"),
            Map.entry(111, "ECONNREFUSED"));

    private final Kind kind;
    private final int errno;
    private final String operation;

    public WireGuardException(Kind kind, int errno, String operation, String detail) {
        this(kind, errno, operation, detail, null);
    }

    public WireGuardException(Kind kind, int errno, String operation, String detail, Throwable cause) {
        super(operation + ": " + (errno == 0 ? "" : errnoName(errno) + ": ") + detail, cause);
        this.kind = kind;
        this.errno = errno;
        this.operation = operation;
    }

    /** From an errno a device answered with; the sign does not matter (wireguard-go sends {@code errno=-22}). */
    public static WireGuardException ofErrno(int errno, String operation, String detail) {
        int e = Math.abs(errno);
        return new WireGuardException(kindOf(e), e, operation, detail);
    }

    /** From the kernel's answer over generic netlink or rtnetlink. */
    public static WireGuardException ofNetlink(NetlinkException e, String operation) {
        Kind k = e.errno() == 0 ? Kind.PROTOCOL : kindOf(e.errno());
        return new WireGuardException(k, e.errno(), operation, e.getMessage(), e);
    }

    static Kind kindOf(int errno) {
        switch (errno) {
            case 2: case 6: case 19: case 111:
                return Kind.NOT_FOUND;
            case 17:
                return Kind.EXISTS;
            case 22: case 34: case 90:
                return Kind.INVALID;
            case 1: case 13:
                return Kind.PERMISSION;
            case 98:
                return Kind.ADDRESS_IN_USE;
            case 93: case 95: case 97: case 524:
                return Kind.NOT_SUPPORTED;
            case 71:
                return Kind.PROTOCOL;
            case 5: case 110:
                return Kind.IO;
            default:
                return Kind.OTHER;
        }
    }

    static String errnoName(int errno) {
        return NAMES.getOrDefault(errno, "errno " + errno);
    }

    public Kind kind() {
        return kind;
    }

    /** The positive errno, or 0 where there was none. */
    public int errno() {
        return errno;
    }

    /** The operation in wg(8)'s words, such as {@code "wg set wg0"}. */
    public String operation() {
        return operation;
    }
}
