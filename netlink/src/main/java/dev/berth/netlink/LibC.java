package dev.berth.netlink;

import com.sun.jna.Native;
import com.sun.jna.Platform;

/**
 * The few C library calls netlink needs, direct-mapped by JNA (no {@code Structure}, no per-call reflection): socket
 * addresses and options travel as plain byte arrays laid out by hand. {@code size_t}/{@code ssize_t} are {@code long}:
 * 64-bit Linux only, checked at load. After a call that returned -1, {@link #errno()} is its {@code errno}.
 */
final class LibC {
    static final int AF_NETLINK = 16;
    static final int SOCK_RAW = 3;
    static final int SOCK_CLOEXEC = 0x80000;
    static final int SOL_SOCKET = 1;
    static final int SO_SNDBUF = 7;
    static final int SO_RCVBUF = 8;
    static final int SO_RCVTIMEO = 20;
    static final int SOL_NETLINK = 270;
    static final int NETLINK_CAP_ACK = 10;
    static final int NETLINK_EXT_ACK = 11;
    static final int MSG_PEEK = 0x2;
    static final int MSG_TRUNC = 0x20;
    static final int O_RDONLY = 0;
    static final int O_CLOEXEC = 0x80000;
    static final int CLONE_NEWNET = 0x40000000;
    /** {@code sizeof(struct sockaddr_nl)}: family u16, pad u16, pid u32, groups u32. */
    static final int SOCKADDR_NL_LEN = 12;

    static {
        if (!Platform.isLinux() || Native.SIZE_T_SIZE != 8) {
            throw new UnsupportedOperationException("netlink needs 64-bit Linux");
        }
        Native.register(LibC.class, Platform.C_LIBRARY_NAME);
    }

    private LibC() {
    }

    static native int socket(int domain, int type, int protocol);

    static native int bind(int fd, byte[] addr, int addrLen);

    static native int getsockname(int fd, byte[] addr, int[] addrLen);

    static native long sendto(int fd, byte[] buf, long len, int flags, byte[] addr, int addrLen);

    static native long recvfrom(int fd, byte[] buf, long len, int flags, byte[] addr, int[] addrLen);

    static native int setsockopt(int fd, int level, int name, byte[] value, int len);

    static native int setns(int fd, int nstype);

    static native int open(String path, int flags);

    static native int close(int fd);

    static int errno() {
        return Native.getLastError();
    }

    /** A {@code struct sockaddr_nl} for the given port ID (0: the kernel). */
    static byte[] sockaddrNl(int pid) {
        return java.nio.ByteBuffer.allocate(SOCKADDR_NL_LEN).order(java.nio.ByteOrder.nativeOrder())
                .putShort((short) AF_NETLINK).putShort((short) 0).putInt(pid).putInt(0).array();
    }

    static byte[] int32(int v) {
        return java.nio.ByteBuffer.allocate(4).order(java.nio.ByteOrder.nativeOrder()).putInt(v).array();
    }

    /** A {@code struct timeval} (two longs). */
    static byte[] timeval(long seconds) {
        return java.nio.ByteBuffer.allocate(16).order(java.nio.ByteOrder.nativeOrder()).putLong(seconds).putLong(0)
                .array();
    }

    /** Opens a namespace file read-only; throws naming {@code op} if it cannot. */
    static int openNamespace(java.nio.file.Path file, String op) {
        int fd = open(file.toString(), O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
            int e = errno();
            throw new NetlinkException(op + ": open " + file, e, null);
        }
        return fd;
    }
}
