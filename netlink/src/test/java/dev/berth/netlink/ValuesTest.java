package dev.berth.netlink;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The value records check what they are given, so a bad value fails before it reaches the kernel. */
@Tag("unit")
class ValuesTest {
    @Test
    void macAddress_parsesPrintsAndClassifies() {
        MacAddress m = MacAddress.parse("02:42:AC:11:00:02");
        assertEquals("02:42:ac:11:00:02", m.toString());
        assertArrayEquals(new byte[] {2, 0x42, (byte) 0xac, 0x11, 0, 2}, m.bytes());
        assertEquals(m, MacAddress.of(m.bytes()));
        assertEquals(m, MacAddress.parse("02-42-ac-11-00-02"));
        assertTrue(MacAddress.ZERO.isZero());
        assertTrue(MacAddress.BROADCAST.isMulticast());
        assertTrue(MacAddress.parse("33:33:00:00:00:01").isMulticast());
        assertFalse(m.isMulticast());
        assertThrows(IllegalArgumentException.class, () -> MacAddress.parse("02:42:ac:11:00"));
        assertThrows(IllegalArgumentException.class, () -> MacAddress.parse("02:42:ac:11:00:zz"));
        assertThrows(IllegalArgumentException.class, () -> MacAddress.parse("002:42:ac:11:00:01"));
    }

    @Test
    void ipPrefix_parsesKeepsHostBitsAndMasksForNetwork() {
        IpPrefix p = IpPrefix.parse("10.1.2.3/24");
        assertEquals("10.1.2.3/24", p.toString());
        assertEquals(IpPrefix.parse("10.1.2.0/24"), p.network());
        assertTrue(p.contains(Inet.parse("10.1.2.200")));
        assertFalse(p.contains(Inet.parse("10.1.3.1")));
        assertFalse(p.contains(Inet.parse("fd00::1")));
        assertEquals(IpPrefix.parse("fd00:1:8000::/33"), IpPrefix.parse("fd00:1:ffff::1/33").network());
        assertEquals("fd00:1:8000::/33", IpPrefix.parse("fd00:1:ffff::1/33").network().toString());
        assertEquals("fe80::1:0:0:2", Inet.format(Inet.parse("fe80:0:0:0:1:0:0:2")));
        assertEquals("::", Inet.format(Inet.parse("::")));
        assertEquals("1::", Inet.format(Inet.parse("1:0:0:0:0:0:0:0")));
        assertEquals("1:2:3:4:5:6:7:8", Inet.format(Inet.parse("1:2:3:4:5:6:7:8")));
        assertEquals("1:0:3:4:5:6:7:8", Inet.format(Inet.parse("1:0:3:4:5:6:7:8")));
        assertEquals(32, IpPrefix.parse("10.0.0.1").length());
        assertEquals(Family.INET6, IpPrefix.parse("::/0").family());
        assertThrows(IllegalArgumentException.class, () -> IpPrefix.parse("10.0.0.1/33"));
        assertThrows(IllegalArgumentException.class, () -> IpPrefix.parse("example.com/24"));
        assertThrows(IllegalArgumentException.class, () -> IpPrefix.parse("10.0.0.1/x"));
    }

    @Test
    void route_refusesHostBitsAndMixedFamilies_andPicksScopeAsIproute2() {
        assertThrows(IllegalArgumentException.class, () -> Route.to("10.1.2.3/24"));
        assertThrows(IllegalArgumentException.class,
                () -> Route.to("10.1.0.0/16").withGateway(Inet.parse("fd00::1")));
        assertEquals(Route.SCOPE_LINK, Route.to("10.1.0.0/16").withOif(3).effectiveScope());
        assertEquals(Route.SCOPE_UNIVERSE, Route.to("10.1.0.0/16").withGateway(Inet.parse("10.0.0.1"))
                .effectiveScope());
        assertEquals(Route.SCOPE_UNIVERSE, Route.to("fd00::/64").withOif(3).effectiveScope());
        assertEquals(Route.SCOPE_HOST, Route.to("10.1.0.0/16").withType(Route.TYPE_LOCAL).effectiveScope());
        assertTrue(Route.defaultVia(Inet.parse("10.0.0.1")).isDefault());
        assertTrue(Route.to("10.1.0.0/16").sameKey(Route.to("10.1.0.0/16").withTable(Route.TABLE_UNSPEC)));
    }

    @Test
    void neigh_needsWhatItsFamilyNeeds() {
        assertThrows(IllegalArgumentException.class, () -> Neigh.fdb(3, null));
        assertThrows(IllegalArgumentException.class,
                () -> new Neigh(Family.INET, 3, null, MacAddress.ZERO, 0, 0, Neigh.NO_VNI, 0));
        assertThrows(IllegalArgumentException.class,
                () -> new Neigh(Family.INET, 3, Inet.parse("fd00::1"), null, 0, 0, Neigh.NO_VNI, 0));
        assertThrows(IllegalArgumentException.class, () -> Neigh.fdb(3, MacAddress.ZERO).withVni(1 << 24));
        assertThrows(IllegalArgumentException.class, () -> Neigh.fdb(0, MacAddress.ZERO));
        assertEquals(Family.INET6, Neigh.of(3, Inet.parse("fd00::1"), null).family());
        assertEquals(Neigh.NTF_SELF, Neigh.fdb(3, MacAddress.ZERO).flags());
    }

    @Test
    void links_checkNamesVnisAndPorts() {
        assertThrows(IllegalArgumentException.class, () -> LinkAttrs.named("a-name-that-is-too-long"));
        assertThrows(IllegalArgumentException.class, () -> LinkAttrs.named("a/b"));
        assertThrows(IllegalArgumentException.class, () -> LinkAttrs.named("a b"));
        assertThrows(IllegalArgumentException.class, () -> LinkAttrs.named(""));
        assertEquals("fifteen-bytes-x", LinkAttrs.named("fifteen-bytes-x").name());
        assertThrows(IllegalArgumentException.class, () -> Vxlan.of("vx", 1 << 24));
        assertThrows(IllegalArgumentException.class, () -> Vxlan.of("vx", 1).withPort(70000));
        assertThrows(IllegalArgumentException.class, () -> Vxlan.of("vx", 1).withLocal(Inet.parse("10.0.0.1"))
                .withGroup(Inet.parse("ff02::1")));
        LinkAttrs a = LinkAttrs.named("x").withUp(true);
        assertTrue(a.up());
        assertFalse(a.withUp(false).up());
        assertEquals(LinkAttrs.OperState.UP, LinkAttrs.OperState.of(6));
        assertEquals(LinkAttrs.OperState.UNKNOWN, LinkAttrs.OperState.of(99));
    }

    @Test
    void netns_namesMapToIproute2sDirectory_andPidsToProc() {
        assertEquals(Path.of("/var/run/netns/blue"), Netns.named("blue").file());
        assertEquals(Path.of("/proc/42/ns/net"), Netns.pid(42).file());
        assertEquals(null, Netns.fd(3).file());
        assertThrows(IllegalArgumentException.class, () -> Netns.named("../etc"));
        assertThrows(IllegalArgumentException.class, () -> Netns.pid(0));
        assertEquals(" -n blue", Commands.namespaceOption(Netns.named("blue")));
        assertEquals(" [netns pid 42]", Commands.namespaceOption(Netns.pid(42)));
    }

    @Test
    void address_refusesIpv6BroadcastAndMissingLink() {
        assertThrows(IllegalArgumentException.class,
                () -> Address.of(3, "fd00::1/64").withBroadcast(Inet.parse("10.0.0.255")));
        assertThrows(IllegalArgumentException.class, () -> Address.of(0, "10.0.0.1/24"));
        assertTrue(Address.of(3, "10.0.0.1/24").sameAs(Address.of(3, "10.0.0.1/24").withLabel("x")));
    }

    @Test
    void family_numbersAreTheKernels() {
        assertEquals(2, Family.INET.number());
        assertEquals(10, Family.INET6.number());
        assertEquals(7, Family.BRIDGE.number());
        assertEquals(Family.BRIDGE, Family.ofNumber(7));
        assertThrows(IllegalArgumentException.class, () -> Family.ofNumber(17));
    }

    @Test
    void netlinkException_sortsErrnosIntoKinds() {
        assertEquals(NetlinkException.Kind.EXISTS, new NetlinkException("op", Errno.EEXIST, null).kind());
        for (int e : new int[] {Errno.ENOENT, Errno.ENODEV, Errno.ESRCH, Errno.EADDRNOTAVAIL}) {
            assertTrue(new NetlinkException("op", e, null).isNotFound(), Errno.name(e));
        }
        assertEquals(NetlinkException.Kind.BUSY, new NetlinkException("op", Errno.EBUSY, null).kind());
        assertEquals(NetlinkException.Kind.PERMISSION, new NetlinkException("op", Errno.EPERM, null).kind());
        assertEquals(NetlinkException.Kind.INVALID, new NetlinkException("op", Errno.EINVAL, null).kind());
        assertEquals(NetlinkException.Kind.NOT_SUPPORTED, new NetlinkException("op", Errno.EOPNOTSUPP, null).kind());
        assertEquals(NetlinkException.Kind.UNREACHABLE, new NetlinkException("op", Errno.ENETDOWN, null).kind());
        assertEquals(NetlinkException.Kind.OTHER, new NetlinkException("op", 1234, null).kind());
        NetlinkException p = new NetlinkException("ip link add x type bridge", Errno.EPERM, null);
        assertEquals("ip link add x type bridge: Operation not permitted (EPERM)", p.getMessage());
        assertEquals("EPERM", p.errnoName());
        assertEquals("errno 1234", new NetlinkException("op", 1234, null).errnoName());
    }
}
