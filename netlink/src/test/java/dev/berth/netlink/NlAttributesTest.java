package dev.berth.netlink;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The attribute codec: layout, alignment, nesting, round trips and malformed input. */
@Tag("unit")
class NlAttributesTest {
    /** The attributes of a built message with no fixed header. */
    private static NlAttributes roundTrip(NlMessageBuilder b) {
        List<NlMessage> m = NlMessage.parseAll(ByteBuffer.wrap(b.build(1, 2)).order(ByteOrder.nativeOrder()));
        assertEquals(1, m.size());
        return m.get(0).attributes(0);
    }

    @Test
    void attribute_isLengthTypeValueAndPaddedToFourBytes() {
        assumeTrue(ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN);
        byte[] msg = new NlMessageBuilder(16, 0).attr(7, new byte[] {1, 2, 3, 4, 5}).attrU8(8, 9).build(3, 4);
        assertEquals("24000000" + "1000" + "0000" + "03000000" + "04000000"
                + "0900" + "0700" + "0102030405" + "000000"
                + "0500" + "0800" + "09" + "000000", Hex.of(msg));
    }

    @Test
    void everyScalarKind_roundTrips() {
        NlAttributes a = roundTrip(new NlMessageBuilder(16, 0).attrU8(1, 200).attrU16(2, 65000).attrU32(3, -5)
                .attrBe16(4, 4789).attrString(5, "vx42").attrInet(6, Inet.parse("fd00::1")).attrFlag(7)
                .attr(8, MacAddress.parse("02:42:0a:00:00:05").bytes()));
        assertEquals(200, a.get(1).u8());
        assertEquals(65000, a.get(2).u16());
        assertEquals(-5, a.get(3).u32());
        assertEquals(4789, a.get(4).be16());
        assertArrayEquals(new byte[] {0x12, (byte) 0xb5}, a.get(4).bytes());
        assertEquals("vx42", a.get(5).string());
        assertEquals(5, a.get(5).length());
        assertEquals(Inet.parse("fd00::1"), a.get(6).inet());
        assertEquals(0, a.get(7).length());
        assertEquals(MacAddress.parse("02:42:0a:00:00:05"), a.get(8).mac());
        assertEquals(8, a.size());
    }

    @Test
    void nests_carryTheirLengthAndParseRecursively() {
        NlMessageBuilder b = new NlMessageBuilder(16, 0);
        int outer = b.nestStart(18);
        b.attrString(1, "vxlan");
        int inner = b.nestStart(2 | NlAttribute.F_NESTED);
        b.attrU32(1, 42).attrU8(7, 0);
        b.nestEnd(inner);
        b.nestEnd(outer);
        b.attrU32(4, 1450);
        NlAttributes a = roundTrip(b);
        NlAttributes info = a.nested(18);
        assertEquals("vxlan", info.string(1));
        NlAttributes data = info.nested(2); // NLA_F_NESTED is masked off the type
        assertEquals(42, data.u32(1, -1));
        assertEquals(0, data.u8(7, -1));
        assertEquals(1450, a.u32(4, -1));
        int outerLen = a.get(18).length() + 4;
        assertEquals(4 + 12 + 4 + 8 + 8, outerLen); // header, "vxlan\0" padded, inner header, two attrs
    }

    @Test
    void lookups_returnTheLastOccurrence_andAllReturnsEvery() {
        NlAttributes a = roundTrip(new NlMessageBuilder(16, 0).attrU32(1, 10).attrU32(2, 20).attrU32(1, 11));
        assertEquals(11, a.u32(1, -1));
        assertEquals(List.of(10, 11), a.all(1).stream().map(NlAttribute::u32).toList());
        assertEquals(-1, a.u32(9, -1));
        assertNull(a.string(9));
        assertEquals(0, a.nested(9).size());
    }

    @Test
    void attributeRunningPastItsBuffer_isMalformed() {
        ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.nativeOrder()).putShort((short) 12).putShort((short) 1)
                .putInt(0).flip();
        NetlinkException e = assertThrows(NetlinkException.class, () -> NlAttributes.parse(b));
        assertTrue(e.getMessage().contains("malformed"), e.getMessage());
        ByteBuffer tiny = ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putShort((short) 2)
                .putShort((short) 1).flip();
        assertThrows(NetlinkException.class, () -> NlAttributes.parse(tiny));
    }

    @Test
    void scalarReadOfAShortValue_isMalformedNotAnIndexError() {
        NlAttributes a = roundTrip(new NlMessageBuilder(16, 0).attrU8(1, 1));
        assertThrows(NetlinkException.class, () -> a.get(1).u32());
        assertThrows(NetlinkException.class, () -> a.get(1).inet());
    }

    @Test
    void parseAll_splitsADatagramIntoItsMessages() {
        byte[] two = ScriptedTransport.concat(new NlMessageBuilder(16, 2).attrU8(1, 1).build(5, 6),
                new NlMessageBuilder(3, 2).u32(0).build(5, 6));
        List<NlMessage> m = NlMessage.parseAll(ByteBuffer.wrap(two).order(ByteOrder.nativeOrder()));
        assertEquals(2, m.size());
        assertEquals(16, m.get(0).type());
        assertEquals(NlMessage.NLMSG_DONE, m.get(1).type());
        assertEquals(5, m.get(1).seq());
        assertEquals(6, m.get(1).portId());
        assertTrue(m.get(0).isMulti());
    }

    @Test
    void builderGrowsPastItsFirstBuffer() {
        NlMessageBuilder b = new NlMessageBuilder(16, 0);
        for (int i = 0; i < 500; i++) {
            b.attrU32(1, i);
        }
        NlAttributes a = roundTrip(b);
        assertEquals(500, a.size());
        assertEquals(499, a.u32(1, -1));
    }
}
