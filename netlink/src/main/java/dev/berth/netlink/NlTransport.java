package dev.berth.netlink;

import java.nio.ByteBuffer;

/**
 * Datagrams to and from the kernel: the seam between {@link NlSocket}'s request logic and the real socket
 * ({@link NlChannel}), so that the logic can be tested with scripted replies.
 */
interface NlTransport extends AutoCloseable {
    /** The port ID the kernel gave this socket. */
    int portId();

    void send(byte[] message, String op);

    /** The next datagram from the kernel, in a buffer of its own; null for one that came from anyone else. */
    ByteBuffer receive(String op);

    @Override
    void close();
}
