package dev.berth.netlink;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.LinkedList;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/** A transport that records what is sent and answers with datagrams queued in advance. */
final class ScriptedTransport implements NlTransport {
    final List<byte[]> sent = new ArrayList<>();
    final Deque<ByteBuffer> replies = new LinkedList<>(); // null: a datagram from someone else
    boolean closed;

    ScriptedTransport reply(byte[]... datagrams) {
        for (byte[] d : datagrams) {
            replies.add(d == null ? null : ByteBuffer.wrap(d).order(ByteOrder.nativeOrder()));
        }
        return this;
    }

    ScriptedTransport replyHex(String hex) {
        return reply(Hex.bytes(hex));
    }

    @Override
    public int portId() {
        return 4242;
    }

    @Override
    public void send(byte[] message, String op) {
        sent.add(message);
    }

    @Override
    public ByteBuffer receive(String op) {
        if (replies.isEmpty()) {
            throw new AssertionError("the socket read past the scripted replies");
        }
        return replies.poll();
    }

    @Override
    public void close() {
        closed = true;
    }

    /** One netlink message: header and payload, padded to 4 bytes. */
    static byte[] message(int type, int flags, int seq, byte[] payload) {
        int len = 16 + payload.length;
        ByteBuffer b = ByteBuffer.allocate(NlMessageBuilder.align(len)).order(ByteOrder.nativeOrder());
        b.putInt(len).putShort((short) type).putShort((short) flags).putInt(seq).putInt(4242).put(payload);
        return b.array();
    }

    static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        ByteBuffer b = ByteBuffer.allocate(n);
        for (byte[] p : parts) {
            b.put(p);
        }
        return b.array();
    }

    static byte[] int32(int v) {
        return ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(v).array();
    }

    /** An ACK ({@code error} 0) or error for request {@code seq}: nlmsgerr with the capped request header. */
    static byte[] error(int seq, int negativeErrno) {
        byte[] payload = concat(int32(negativeErrno), new byte[16]);
        return message(NlMessage.NLMSG_ERROR, NlMessage.F_CAPPED, seq, payload);
    }

    static byte[] done(int seq) {
        return message(NlMessage.NLMSG_DONE, NlMessage.F_MULTI, seq, int32(0));
    }
}
