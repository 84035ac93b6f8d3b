package dev.berth.wireguard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.berth.netlink.GenlAttributes;
import dev.berth.netlink.GenlRequest;
import dev.berth.netlink.IpPrefix;
import dev.berth.netlink.NetlinkException;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The kernel backend's control over a scripted exchange: what it sends, how it reads, how errors come out. */
@Tag("unit")
class GenlControlTest {
    private final List<String> sent = new ArrayList<>();
    private final List<String> ops = new ArrayList<>();

    @BeforeAll
    static void littleEndian() {
        assumeTrue(ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN, "the golden bytes are little-endian");
    }

    private GenlControl control(List<GenlAttributes> reply, int budget) {
        return new GenlControl(WgNetlinkCodecTest.FAMILY, (GenlRequest r, String op) -> {
            sent.add(Golden.hex(r.toBytes(1, 0)));
            ops.add(op);
            return reply;
        }, () -> { }, budget);
    }

    @Test
    void read_sendsOneDump_andMergesItsMessages() {
        GenlControl c = control(List.of(GenlAttributes.ofMessage(Golden.bytes("dump_reply_1"), 0),
                GenlAttributes.ofMessage(Golden.bytes("dump_reply_2"), 0)), 4096);
        DeviceState d = c.read("wg0");
        assertEquals(List.of(Golden.hex("get_device")), sent);
        assertEquals(List.of("wg show wg0"), ops);
        assertEquals(2, d.peers().size());
        assertEquals(2, d.peers().get(0).allowedIps().size());
        assertEquals(Backend.KERNEL, c.backend());
    }

    @Test
    void configure_sendsEachPartOfASplitSet_inOrder_namingThePart() {
        GenlControl c = control(List.of(), 150);
        c.configure("wg0", DeviceConfig.unchanged().withPeer(PeerConfig.of(PublicKey.of(WgNetlinkCodecTest.key(0xa0)))
                .withReplaceAllowedIps(true).withAllowedIps(List.of(IpPrefix.parse("10.0.0.0/8"),
                        IpPrefix.parse("10.1.0.0/16"), IpPrefix.parse("10.2.0.0/16")))));
        assertEquals(List.of(Golden.hex("set_device_split_1"), Golden.hex("set_device_split_2")), sent);
        assertEquals(List.of("wg set wg0 (message 1 of 2)", "wg set wg0 (message 2 of 2)"), ops);
    }

    @Test
    void kernelErrors_becomeTypedWireGuardErrors() {
        GenlControl c = new GenlControl(WgNetlinkCodecTest.FAMILY, (r, op) -> {
            throw new NetlinkException(op, 19, null);
        }, () -> { }, 4096);
        WireGuardException e = assertThrows(WireGuardException.class, () -> c.read("wg9"));
        assertEquals(WireGuardException.Kind.NOT_FOUND, e.kind());
        assertEquals(19, e.errno());
        assertEquals("wg show wg9", e.operation());
        GenlControl d = new GenlControl(WgNetlinkCodecTest.FAMILY, (r, op) -> {
            throw new NetlinkException(op, 22, "invalid peer");
        }, () -> { }, 4096);
        e = assertThrows(WireGuardException.class, () -> d.configure("wg9", DeviceConfig.unchanged()
                .withListenPort(1)));
        assertEquals(WireGuardException.Kind.INVALID, e.kind());
    }
}
