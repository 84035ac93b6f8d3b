package dev.berth.netlink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.ByteOrder;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Real kernel replies (captured once, see {@code kernel-replies.txt}) replayed through {@link NlSocket} and the
 * codecs, without root: what a dump, a get, an ACK and an error with an extended ACK look like on the wire.
 */
@Tag("unit")
class KernelRepliesTest {
    private static Map<String, String> replies;

    @BeforeAll
    static void load() {
        assumeTrue(ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN, "the captured replies are little-endian");
        replies = Hex.fixture("kernel-replies.txt");
    }

    /** The data messages of the named reply, through the real request logic (the capture used seq 1). */
    private static List<NlMessage> replay(String name, NlMessageBuilder request) {
        ScriptedTransport t = new ScriptedTransport();
        for (int i = 0; replies.containsKey(name + "." + i); i++) {
            t.replyHex(replies.get(name + "." + i));
        }
        return new NlSocket(t, 0).request(request, name);
    }

    private static java.net.InetAddress ip(String s) {
        return Inet.parse(s);
    }

    @Test
    void getOfAVxlan_readsEverySetting() {
        List<NlMessage> m = replay("link_get_vxlan", LinkCodec.getLink("vx42"));
        assertEquals(1, m.size());
        Vxlan x = assertInstanceOf(Vxlan.class, LinkCodec.parse(m.get(0)));
        assertEquals("vx42", x.name());
        assertEquals(42, x.vni());
        assertEquals(ip("10.0.0.1"), x.local());
        assertNull(x.group());
        assertEquals(4789, x.port());
        assertEquals(64, x.ttl());
        assertEquals(30000, x.portLow());
        assertEquals(40000, x.portHigh());
        assertFalse(x.learning());
        assertTrue(x.attrs().up());
        assertTrue(x.underlayIndex() > 0);
        assertTrue(x.attrs().masterIndex() > 0);
    }

    @Test
    void getOfAVethEnd_givesItsPeersIndex() {
        Veth v = assertInstanceOf(Veth.class, LinkCodec.parse(replay("link_get_veth", LinkCodec.getLink("under0"))
                .get(0)));
        assertEquals("under0", v.name());
        assertTrue(v.peer().index() > 0);
        assertEquals(-1, v.attrs().linkNetnsId());
    }

    @Test
    void linkDump_readsEveryLinkWithItsKind() {
        List<Link> links = replay("link_dump", LinkCodec.dumpLinks()).stream().map(LinkCodec::parse).toList();
        Map<String, String> kinds = links.stream().collect(Collectors.toMap(Link::name, Link::kind));
        assertEquals(Map.of("lo", "", "under0", "veth", "under1", "veth", "vx42", "vxlan", "br0", "bridge"), kinds);
        Link br = links.stream().filter(l -> l.name().equals("br0")).findFirst().orElseThrow();
        Link vx = links.stream().filter(l -> l.name().equals("vx42")).findFirst().orElseThrow();
        assertEquals(br.index(), vx.attrs().masterIndex());
        assertEquals(65536, links.get(0).attrs().mtu());
    }

    @Test
    void addrDump_readsIpv4WithBroadcastAndLabel_andIpv6WithFlags() {
        List<Address> all = replay("addr_dump", AddressCodec.dumpAddrs(Family.ALL)).stream()
                .map(AddressCodec::parse).toList();
        Address v4 = all.stream().filter(a -> a.prefix().equals(IpPrefix.parse("10.1.2.3/24"))).findFirst()
                .orElseThrow();
        assertEquals(ip("10.1.2.255"), v4.broadcast());
        assertEquals("br0", v4.label());
        Address v6 = all.stream().filter(a -> a.prefix().equals(IpPrefix.parse("fd00::1/64"))).findFirst()
                .orElseThrow();
        assertTrue((v6.flags() & Address.F_NODAD) != 0);
        assertEquals(v4.linkIndex(), v6.linkIndex());
    }

    @Test
    void routeDump_readsGatewaysMetricsTablesAndTheKernelsOwn() {
        List<Route> routes = replay("route_dump_v4", RouteCodec.dumpRoutes(Family.INET)).stream()
                .map(RouteCodec::parse).toList();
        Route via = routes.stream().filter(r -> r.dst().equals(IpPrefix.parse("10.20.0.0/16"))).findFirst()
                .orElseThrow();
        assertEquals(ip("10.1.2.254"), via.gateway());
        assertEquals(100, via.metric());
        assertEquals(Route.TABLE_MAIN, via.table());
        assertEquals(Route.PROTO_BOOT, via.protocol());
        Route custom = routes.stream().filter(r -> r.dst().equals(IpPrefix.parse("10.30.0.0/16"))).findFirst()
                .orElseThrow();
        assertEquals(1000, custom.table());
        assertEquals(Route.SCOPE_LINK, custom.scope());
        assertTrue(routes.stream().anyMatch(r -> r.protocol() == Route.PROTO_KERNEL
                && r.dst().equals(IpPrefix.parse("10.1.2.0/24")) && ip("10.1.2.3").equals(r.prefSrc())));
        assertTrue(routes.stream().anyMatch(r -> r.table() == Route.TABLE_LOCAL && r.type() == Route.TYPE_LOCAL));
    }

    @Test
    void fdbDump_readsOneEntryPerRemote_andVnis() {
        List<Neigh> fdb = replay("fdb_dump", NeighCodec.dumpNeighs(Family.BRIDGE)).stream()
                .map(NeighCodec::parse).filter(n -> n != null).toList();
        Set<java.net.InetAddress> flood = fdb.stream().filter(n -> n.mac().isZero()).map(Neigh::ip)
                .collect(Collectors.toSet());
        assertEquals(Set.of(ip("10.0.0.2"), ip("10.0.0.3")), flood);
        Neigh other = fdb.stream().filter(n -> n.mac().equals(MacAddress.parse("02:42:0a:00:00:05"))).findFirst()
                .orElseThrow();
        assertEquals(4242, other.vni());
        assertEquals(Neigh.NUD_PERMANENT, other.state());
        assertTrue((other.flags() & Neigh.NTF_SELF) != 0);
    }

    @Test
    void neighDump_readsTheArpEntry() {
        List<Neigh> n = replay("neigh_dump_v4", NeighCodec.dumpNeighs(Family.INET)).stream()
                .map(NeighCodec::parse).toList();
        Neigh arp = n.stream().filter(x -> x.ip().equals(ip("10.1.2.7"))).findFirst().orElseThrow();
        assertEquals(MacAddress.parse("02:42:0a:00:00:07"), arp.mac());
        assertEquals(Neigh.NUD_PERMANENT, arp.state());
    }

    @Test
    void errorWithExtendedAck_becomesExistsWithTheKernelsText() {
        NetlinkException e = assertThrows(NetlinkException.class, () -> replay("err_vxlan_dup_vni",
                LinkCodec.newLink(Vxlan.of("vx43", 42), p -> -1)));
        assertEquals(Errno.EEXIST, e.errno());
        assertEquals(NetlinkException.Kind.EXISTS, e.kind());
        assertEquals("A VXLAN device with the specified VNI already exists", e.kernelMessage());
        assertEquals("err_vxlan_dup_vni: File exists (EEXIST): A VXLAN device with the specified VNI already exists",
                e.getMessage());
    }

    @Test
    void errorWithoutText_isNotFoundForAMissingDevice() {
        NetlinkException e = assertThrows(NetlinkException.class, () -> replay("err_del_missing",
                LinkCodec.delLink("nope0")));
        assertEquals(Errno.ENODEV, e.errno());
        assertEquals(NetlinkException.Kind.NOT_FOUND, e.kind());
        assertNull(e.kernelMessage());
    }

    @Test
    void plainAck_endsTheRequestWithNoData() {
        assertTrue(replay("ack_set_up", LinkCodec.setLinkByName("br0", 1, 1)).isEmpty());
    }
}
