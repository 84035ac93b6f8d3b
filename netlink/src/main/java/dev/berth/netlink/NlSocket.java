package dev.berth.netlink;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Request and reply over one netlink socket of any protocol ({@code NETLINK_ROUTE}, {@code NETLINK_GENERIC}).
 *
 * <p>{@link #request} is the whole exchange: it stamps a fresh sequence number, asks for an ACK on every request,
 * reads every reply with that sequence number until the ACK, the error or, for a dump, the {@code NLMSG_DONE}, and
 * turns an error into a {@link NetlinkException}. Requests are serialised by a lock, so any thread may call; replies
 * to an earlier request that timed out are recognised by their sequence number and dropped. A dump the kernel marks
 * {@code NLM_F_DUMP_INTR} (the table changed while it was read) is read again, up to {@value #DUMP_ATTEMPTS} times.
 */
final class NlSocket implements AutoCloseable {
    static final int NETLINK_ROUTE = 0;
    static final int NETLINK_GENERIC = 16;
    static final int DUMP_ATTEMPTS = 5;

    private final ReentrantLock lock = new ReentrantLock();
    private final NlTransport transport;
    private int seq;
    private boolean closed;

    NlSocket(NlTransport transport, int firstSeq) {
        this.transport = transport;
        this.seq = firstSeq;
    }

    /** A real socket in the calling thread's network namespace. */
    static NlSocket open(int protocol) {
        return new NlSocket(NlChannel.open(protocol), (int) (System.nanoTime() & 0x3fff_ffff));
    }

    /**
     * Sends {@code req} with {@code NLM_F_REQUEST|NLM_F_ACK} and returns the data messages of the reply (none for a
     * plain change, one for a get, all of them for a dump).
     */
    List<NlMessage> request(NlMessageBuilder req, String op) {
        req.addFlags(NlMessage.F_REQUEST | NlMessage.F_ACK);
        boolean dump = (req.flags() & NlMessage.F_DUMP) == NlMessage.F_DUMP;
        for (int attempt = 1; ; attempt++) {
            Reply r;
            lock.lock();
            try {
                if (closed) {
                    throw new NetlinkException(op, "the netlink handle is closed", null);
                }
                seq = seq == Integer.MAX_VALUE ? 1 : seq + 1;
                transport.send(req.build(seq, transport.portId()), op);
                r = receive(seq, op);
            } finally {
                lock.unlock();
            }
            if (!dump || !r.interrupted) {
                return r.messages;
            }
            if (attempt == DUMP_ATTEMPTS) {
                throw new NetlinkException(op, "dump interrupted by concurrent changes " + DUMP_ATTEMPTS
                        + " times in a row", null);
            }
        }
    }

    private record Reply(List<NlMessage> messages, boolean interrupted) {
    }

    private Reply receive(int expectSeq, String op) {
        List<NlMessage> out = new ArrayList<>();
        boolean interrupted = false;
        while (true) {
            ByteBuffer datagram = transport.receive(op);
            if (datagram == null) {
                continue;
            }
            for (NlMessage m : NlMessage.parseAll(datagram)) {
                if (m.seq() != expectSeq) {
                    continue; // a late reply to an earlier request that timed out
                }
                switch (m.type()) {
                    case NlMessage.NLMSG_NOOP:
                        break;
                    case NlMessage.NLMSG_ERROR: {
                        NlError err = NlError.parse(m);
                        if (err.errno() != 0) {
                            throw err.toException(op);
                        }
                        return new Reply(out, interrupted);
                    }
                    case NlMessage.NLMSG_DONE: {
                        NlError err = NlError.parseDone(m);
                        if (err.errno() != 0) {
                            throw err.toException(op);
                        }
                        return new Reply(out, interrupted);
                    }
                    case NlMessage.NLMSG_OVERRUN:
                        throw new NetlinkException(op, "netlink overrun: data was lost", null);
                    default:
                        interrupted |= (m.flags() & NlMessage.F_DUMP_INTR) != 0;
                        out.add(m);
                }
            }
        }
    }

    @Override
    public void close() {
        lock.lock();
        try {
            if (!closed) {
                closed = true;
                transport.close();
            }
        } finally {
            lock.unlock();
        }
    }
}
