package dev.berth.netlink;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A real {@code AF_NETLINK} socket through libc: {@code socket}, {@code bind} (the kernel picks the port ID),
 * {@code setsockopt} for extended ACKs ({@code NETLINK_EXT_ACK}), capped error echoes ({@code NETLINK_CAP_ACK}) and a
 * receive timeout, then {@code sendto}/{@code recvfrom} with the kernel's address. Bound to the network namespace of
 * the thread that opened it. Not thread-safe: {@link NlSocket} serialises.
 */
final class NlChannel implements NlTransport {
    static final int RECEIVE_TIMEOUT_SECONDS = 30;

    private final int portId;
    private int fd;
    private byte[] rx = new byte[32 * 1024];
    private final byte[] from = new byte[LibC.SOCKADDR_NL_LEN];
    private final int[] fromLen = new int[1];
    private final byte[] kernel = LibC.sockaddrNl(0);

    private NlChannel(int fd, int portId) {
        this.fd = fd;
        this.portId = portId;
    }

    /** A socket of {@code protocol} in the calling thread's network namespace. */
    static NlChannel open(int protocol) {
        String op = "socket(AF_NETLINK, protocol " + protocol + ")";
        int fd = LibC.socket(LibC.AF_NETLINK, LibC.SOCK_RAW | LibC.SOCK_CLOEXEC, protocol);
        if (fd < 0) {
            throw new NetlinkException(op, LibC.errno(), null);
        }
        try {
            if (LibC.bind(fd, LibC.sockaddrNl(0), LibC.SOCKADDR_NL_LEN) != 0) {
                throw new NetlinkException(op + ": bind", LibC.errno(), null);
            }
            byte[] addr = new byte[LibC.SOCKADDR_NL_LEN];
            int[] len = {addr.length};
            if (LibC.getsockname(fd, addr, len) != 0) {
                throw new NetlinkException(op + ": getsockname", LibC.errno(), null);
            }
            int pid = ByteBuffer.wrap(addr).order(ByteOrder.nativeOrder()).getInt(4);
            // best effort: the kernel's error strings, and errors that do not echo our whole request back
            LibC.setsockopt(fd, LibC.SOL_NETLINK, LibC.NETLINK_EXT_ACK, LibC.int32(1), 4);
            LibC.setsockopt(fd, LibC.SOL_NETLINK, LibC.NETLINK_CAP_ACK, LibC.int32(1), 4);
            if (LibC.setsockopt(fd, LibC.SOL_SOCKET, LibC.SO_RCVTIMEO, LibC.timeval(RECEIVE_TIMEOUT_SECONDS), 16)
                    != 0) {
                throw new NetlinkException(op + ": setsockopt(SO_RCVTIMEO)", LibC.errno(), null);
            }
            return new NlChannel(fd, pid);
        } catch (RuntimeException e) {
            LibC.close(fd);
            throw e;
        }
    }

    @Override
    public int portId() {
        return portId;
    }

    @Override
    public void send(byte[] msg, String op) {
        checkOpen(op);
        while (true) {
            long n = LibC.sendto(fd, msg, msg.length, 0, kernel, kernel.length);
            if (n == msg.length) {
                return;
            }
            int e = n < 0 ? LibC.errno() : Errno.EMSGSIZE;
            if (e != Errno.EINTR) {
                throw new NetlinkException(op + ": sendto", e, null);
            }
        }
    }

    @Override
    public ByteBuffer receive(String op) {
        checkOpen(op);
        while (true) {
            // peek at the size first, so that no datagram is ever truncated
            fromLen[0] = from.length;
            long size = LibC.recvfrom(fd, rx, rx.length, LibC.MSG_PEEK | LibC.MSG_TRUNC, from, fromLen);
            if (size < 0) {
                int e = LibC.errno();
                if (e == Errno.EINTR) {
                    continue;
                }
                if (e == Errno.EAGAIN) {
                    throw new NetlinkException(op, "no answer from the kernel within " + RECEIVE_TIMEOUT_SECONDS
                            + " s", null);
                }
                throw new NetlinkException(op + ": recvfrom", e, null);
            }
            if (size > rx.length) {
                rx = new byte[(int) Math.max(size, 2L * rx.length)];
            }
            fromLen[0] = from.length;
            long n = LibC.recvfrom(fd, rx, rx.length, 0, from, fromLen);
            if (n < 0) {
                int e = LibC.errno();
                if (e == Errno.EINTR) {
                    continue;
                }
                throw new NetlinkException(op + ": recvfrom", e, null);
            }
            int senderPid = ByteBuffer.wrap(from).order(ByteOrder.nativeOrder()).getInt(4);
            if (senderPid != 0) {
                return null;
            }
            return ByteBuffer.wrap(Arrays.copyOf(rx, (int) n)).order(ByteOrder.nativeOrder());
        }
    }

    private void checkOpen(String op) {
        if (fd < 0) {
            throw new NetlinkException(op, "the netlink handle is closed", null);
        }
    }

    @Override
    public void close() {
        if (fd >= 0) {
            LibC.close(fd);
            fd = -1;
        }
    }
}
