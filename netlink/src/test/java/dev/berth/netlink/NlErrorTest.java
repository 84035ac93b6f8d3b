package dev.berth.netlink;

import static dev.berth.netlink.ScriptedTransport.concat;
import static dev.berth.netlink.ScriptedTransport.int32;
import static dev.berth.netlink.ScriptedTransport.message;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** {@code struct nlmsgerr} with and without the request echoed, with and without extended-ACK attributes. */
@Tag("unit")
class NlErrorTest {
    private static NlMessage parse(byte[] datagram) {
        return NlMessage.parseAll(ByteBuffer.wrap(datagram).order(ByteOrder.nativeOrder())).get(0);
    }

    private static byte[] tlvs() {
        NlMessageBuilder b = new NlMessageBuilder(0, 0);
        b.attrString(NlError.NLMSGERR_ATTR_MSG, "Nexthop has invalid gateway").attrU32(NlError.NLMSGERR_ATTR_OFFS, 44);
        byte[] all = b.build(0, 0);
        return java.util.Arrays.copyOfRange(all, 16, all.length);
    }

    @Test
    void cappedErrorWithTlvs_givesErrnoTextAndOffset() {
        byte[] payload = concat(int32(-Errno.ENETUNREACH), new byte[16], tlvs());
        NlError e = NlError.parse(parse(message(NlMessage.NLMSG_ERROR,
                NlMessage.F_CAPPED | NlMessage.F_ACK_TLVS, 1, payload)));
        assertEquals(Errno.ENETUNREACH, e.errno());
        assertEquals("Nexthop has invalid gateway", e.kernelMessage());
        assertEquals(44, e.badOffset());
    }

    @Test
    void uncappedErrorWithTlvs_skipsTheEchoedRequest() {
        byte[] request = new NlMessageBuilder(24, 0).attrU32(1, 7).attrString(3, "x").build(1, 0);
        byte[] payload = concat(int32(-Errno.EINVAL), request, tlvs());
        NlError e = NlError.parse(parse(message(NlMessage.NLMSG_ERROR, NlMessage.F_ACK_TLVS, 1, payload)));
        assertEquals(Errno.EINVAL, e.errno());
        assertEquals("Nexthop has invalid gateway", e.kernelMessage());
    }

    @Test
    void ack_hasNoErrno() {
        NlError e = NlError.parse(parse(ScriptedTransport.error(1, 0)));
        assertEquals(0, e.errno());
        assertNull(e.kernelMessage());
        assertEquals(-1, e.badOffset());
    }

    @Test
    void doneWithStatusAndTlvs() {
        byte[] payload = concat(int32(-Errno.EOPNOTSUPP), tlvs());
        NlError e = NlError.parseDone(parse(message(NlMessage.NLMSG_DONE,
                NlMessage.F_MULTI | NlMessage.F_ACK_TLVS, 1, payload)));
        assertEquals(Errno.EOPNOTSUPP, e.errno());
        assertEquals("Nexthop has invalid gateway", e.kernelMessage());
        assertEquals(0, NlError.parseDone(parse(ScriptedTransport.done(1))).errno());
    }
}
