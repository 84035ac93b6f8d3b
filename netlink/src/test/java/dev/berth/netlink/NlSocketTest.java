package dev.berth.netlink;

import static dev.berth.netlink.ScriptedTransport.concat;
import static dev.berth.netlink.ScriptedTransport.done;
import static dev.berth.netlink.ScriptedTransport.error;
import static dev.berth.netlink.ScriptedTransport.message;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The request and reply logic, against scripted datagrams. */
@Tag("unit")
class NlSocketTest {
    private final ScriptedTransport t = new ScriptedTransport();
    private final NlSocket socket = new NlSocket(t, 0);

    private static byte[] data(int seq, int flags, int marker) {
        return message(LinkCodec.RTM_NEWLINK, flags, seq, ScriptedTransport.int32(marker));
    }

    private static int marker(NlMessage m) {
        return m.payload().getInt(0);
    }

    private static ByteBuffer sentHeader(byte[] b) {
        return ByteBuffer.wrap(b).order(ByteOrder.nativeOrder());
    }

    @Test
    void request_asksForAnAckWithAFreshSequenceNumberEachTime() {
        t.reply(error(1, 0), error(2, 0));
        socket.request(LinkCodec.delLink("a"), "one");
        socket.request(LinkCodec.delLink("b"), "two");
        ByteBuffer first = sentHeader(t.sent.get(0));
        ByteBuffer second = sentHeader(t.sent.get(1));
        assertEquals(NlMessage.F_REQUEST | NlMessage.F_ACK, first.getShort(6));
        assertEquals(1, first.getInt(8));
        assertEquals(2, second.getInt(8));
        assertEquals(4242, first.getInt(12));
        assertEquals(t.sent.get(0).length, first.getInt(0));
    }

    @Test
    void dump_collectsMessagesAcrossDatagramsUntilDone() {
        int multi = NlMessage.F_MULTI;
        t.reply(concat(data(1, multi, 10), data(1, multi, 11)), concat(data(1, multi, 12)),
                concat(data(1, multi, 13), done(1)));
        List<NlMessage> got = socket.request(LinkCodec.dumpLinks(), "dump");
        assertEquals(List.of(10, 11, 12, 13), got.stream().map(NlSocketTest::marker).toList());
    }

    @Test
    void repliesToAnotherSequenceNumberAndForeignDatagramsAreSkipped() {
        t.reply(concat(data(7, 0, 99), error(7, 0)), null, concat(data(1, 0, 5), error(1, 0)));
        List<NlMessage> got = socket.request(LinkCodec.getLink("x"), "get");
        assertEquals(List.of(5), got.stream().map(NlSocketTest::marker).toList());
    }

    @Test
    void errorInTheMiddleOfADumpFailsTheRequest() {
        t.reply(concat(data(1, NlMessage.F_MULTI, 1), error(1, -Errno.EBUSY)));
        NetlinkException e = assertThrows(NetlinkException.class, () -> socket.request(LinkCodec.dumpLinks(), "op"));
        assertEquals(NetlinkException.Kind.BUSY, e.kind());
        assertEquals("op: Device or resource busy (EBUSY)", e.getMessage());
    }

    @Test
    void doneCarryingANegativeStatusFailsTheDump() {
        t.reply(message(NlMessage.NLMSG_DONE, NlMessage.F_MULTI, 1, ScriptedTransport.int32(-Errno.EINVAL)));
        NetlinkException e = assertThrows(NetlinkException.class, () -> socket.request(LinkCodec.dumpLinks(), "op"));
        assertEquals(Errno.EINVAL, e.errno());
    }

    @Test
    void interruptedDump_isReadAgain() {
        int intr = NlMessage.F_MULTI | NlMessage.F_DUMP_INTR;
        t.reply(concat(data(1, intr, 1), done(1)), concat(data(2, NlMessage.F_MULTI, 2), done(2)));
        List<NlMessage> got = socket.request(LinkCodec.dumpLinks(), "dump");
        assertEquals(List.of(2), got.stream().map(NlSocketTest::marker).toList());
        assertEquals(2, t.sent.size());
    }

    @Test
    void dumpInterruptedEveryTime_failsPlainly() {
        int intr = NlMessage.F_MULTI | NlMessage.F_DUMP_INTR;
        for (int s = 1; s <= NlSocket.DUMP_ATTEMPTS; s++) {
            t.reply(concat(data(s, intr, s), done(s)));
        }
        NetlinkException e = assertThrows(NetlinkException.class, () -> socket.request(LinkCodec.dumpLinks(), "op"));
        assertTrue(e.getMessage().contains("interrupted"), e.getMessage());
    }

    @Test
    void noopIsIgnored_andOverrunFails() {
        t.reply(concat(message(NlMessage.NLMSG_NOOP, 0, 1, new byte[0]), error(1, 0)));
        assertTrue(socket.request(LinkCodec.delLink("a"), "op").isEmpty());
        t.reply(message(NlMessage.NLMSG_OVERRUN, 0, 2, new byte[0]));
        assertThrows(NetlinkException.class, () -> socket.request(LinkCodec.delLink("a"), "op"));
    }

    @Test
    void truncatedDatagram_isMalformed() {
        byte[] bad = data(1, 0, 1);
        ByteBuffer.wrap(bad).order(ByteOrder.nativeOrder()).putInt(0, 400);
        t.reply(bad);
        NetlinkException e = assertThrows(NetlinkException.class, () -> socket.request(LinkCodec.delLink("a"), "op"));
        assertTrue(e.getMessage().contains("malformed"), e.getMessage());
    }

    @Test
    void close_closesTheTransportOnce_andLaterRequestsFail() {
        socket.close();
        socket.close();
        assertTrue(t.closed);
        NetlinkException e = assertThrows(NetlinkException.class, () -> socket.request(LinkCodec.delLink("a"), "x"));
        assertTrue(e.getMessage().contains("closed"));
        assertTrue(t.sent.isEmpty());
    }
}
