package dev.berth.netlink;

/**
 * The kernel refused a netlink request, or the exchange itself failed. The message names the operation in iproute2's
 * words ({@code "ip link add vx42 type vxlan"}), the errno, and the kernel's extended-ACK text when it sent one.
 * {@link #kind()} sorts errnos into what callers act on; {@link #errno()} keeps the exact value.
 */
public class NetlinkException extends RuntimeException {
    /** What a caller can do about it. */
    public enum Kind {
        /** {@code EEXIST}: the link, address, route or entry is already there. */
        EXISTS,
        /** {@code ENOENT}, {@code ENODEV}, {@code ESRCH}, {@code EADDRNOTAVAIL}: no such device, entry or route. */
        NOT_FOUND,
        /** {@code EBUSY}: for example renaming a link that is up. */
        BUSY,
        /** {@code EPERM}, {@code EACCES}: not root, or lacking {@code CAP_NET_ADMIN}. */
        PERMISSION,
        /** {@code EINVAL}, {@code ERANGE}: the kernel rejected a value. */
        INVALID,
        /** {@code EOPNOTSUPP}, {@code EAFNOSUPPORT}, {@code EPROTONOSUPPORT}: for example an unknown link kind. */
        NOT_SUPPORTED,
        /** {@code ENETUNREACH}, {@code ENETDOWN}, {@code EHOSTUNREACH}: a gateway or device not usable. */
        UNREACHABLE,
        /** Anything else, including a malformed reply or a local failure. */
        OTHER
    }

    private final int errno;
    private final Kind kind;
    private final String operation;
    private final String kernelMessage;

    public NetlinkException(String operation, int errno, String kernelMessage) {
        super(operation + ": " + Errno.describe(errno)
                + (kernelMessage == null || kernelMessage.isEmpty() ? "" : ": " + kernelMessage));
        this.errno = errno;
        this.kind = kindOf(errno);
        this.operation = operation;
        this.kernelMessage = kernelMessage;
    }

    /** A failure that carries no errno (a malformed reply, a closed handle). */
    public NetlinkException(String operation, String message, Throwable cause) {
        super(operation + ": " + message, cause);
        this.errno = 0;
        this.kind = Kind.OTHER;
        this.operation = operation;
        this.kernelMessage = null;
    }

    static NetlinkException malformed(String what) {
        return new NetlinkException("netlink", "malformed message: " + what, null);
    }

    /** The positive errno, or 0 where there was none. */
    public int errno() {
        return errno;
    }

    /** The errno's symbolic name, such as {@code "EEXIST"}. */
    public String errnoName() {
        return errno == 0 ? "none" : Errno.name(errno);
    }

    public Kind kind() {
        return kind;
    }

    /** The operation in iproute2's words, such as {@code "ip link add vx42 type vxlan"}. */
    public String operation() {
        return operation;
    }

    /** The kernel's extended-ACK message ({@code NLMSGERR_ATTR_MSG}), or null. */
    public String kernelMessage() {
        return kernelMessage;
    }

    public boolean isExists() {
        return kind == Kind.EXISTS;
    }

    public boolean isNotFound() {
        return kind == Kind.NOT_FOUND;
    }

    static Kind kindOf(int errno) {
        switch (errno) {
            case Errno.EEXIST:
                return Kind.EXISTS;
            case Errno.ENOENT:
            case Errno.ENODEV:
            case Errno.ESRCH:
            case Errno.EADDRNOTAVAIL:
            case Errno.ENXIO:
                return Kind.NOT_FOUND;
            case Errno.EBUSY:
                return Kind.BUSY;
            case Errno.EPERM:
            case Errno.EACCES:
                return Kind.PERMISSION;
            case Errno.EINVAL:
            case Errno.ERANGE:
                return Kind.INVALID;
            case Errno.EOPNOTSUPP:
            case Errno.ENOTSUPP:
            case Errno.EAFNOSUPPORT:
            case Errno.EPROTONOSUPPORT:
                return Kind.NOT_SUPPORTED;
            case Errno.ENETUNREACH:
            case Errno.ENETDOWN:
            case Errno.EHOSTUNREACH:
                return Kind.UNREACHABLE;
            default:
                return Kind.OTHER;
        }
    }
}
