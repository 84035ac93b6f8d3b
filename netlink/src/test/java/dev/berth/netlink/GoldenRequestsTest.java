package dev.berth.netlink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.ByteOrder;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Requests byte for byte as {@code golden.c} builds them with the kernel's uapi structs and macros
 * ({@code struct ifinfomsg}, {@code NLMSG_ALIGN}, {@code RTA_LENGTH}, ...): see that file to regenerate.
 */
@Tag("unit")
class GoldenRequestsTest {
    private static Map<String, String> golden;

    @BeforeAll
    static void load() {
        assumeTrue(ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN, "the golden bytes are little-endian");
        golden = Hex.fixture("golden.txt");
    }

    private static void assertGolden(String name, NlMessageBuilder b) {
        b.addFlags(NlMessage.F_REQUEST | NlMessage.F_ACK);
        assertEquals(golden.get(name), Hex.of(b.build(1, 0)), name);
    }

    private static java.net.InetAddress ip(String s) {
        return Inet.parse(s);
    }

    @Test
    void vxlanAdd() {
        Vxlan x = Vxlan.of("vx42", 42).withLocal(ip("10.0.0.1")).withUnderlayIndex(3).withTtl(64).withLearning(false)
                .withPortRange(30000, 40000).withPort(4789);
        assertGolden("vxlan_add", LinkCodec.newLink(x, p -> {
            throw new AssertionError("no namespace file here");
        }));
    }

    @Test
    void vethAddWithThePeerInANamespaceByDescriptor() {
        Veth v = new Veth(LinkAttrs.named("veth0").withMtu(1450).withUp(true),
                LinkAttrs.named("ceth0").withNetns(Netns.fd(7)));
        assertGolden("veth_add_peer_in_netns", LinkCodec.newLink(v, p -> -1));
    }

    @Test
    void vethPeerNamespaceByPath_isSentAsTheOpenedDescriptor() {
        Veth v = new Veth(LinkAttrs.named("veth0").withMtu(1450).withUp(true),
                LinkAttrs.named("ceth0").withNetns(Netns.named("blue")));
        assertGolden("veth_add_peer_in_netns", LinkCodec.newLink(v, p -> {
            assertEquals("/var/run/netns/blue", p.toString());
            return 7;
        }));
    }

    @Test
    void linkSetUpMasterDelDump() {
        assertGolden("link_set_up", LinkCodec.setLinkByName("br0", LinkAttrs.IFF_UP, LinkAttrs.IFF_UP));
        assertGolden("link_set_master", LinkCodec.setLinkByName("va", 0, 0).attrU32(LinkCodec.IFLA_MASTER, 9));
        assertGolden("link_del", LinkCodec.delLink("br0"));
        assertGolden("link_dump", LinkCodec.dumpLinks());
    }

    @Test
    void addrAdd() {
        assertGolden("addr_add_v4", AddressCodec.newAddr(Address.of(5, "10.1.2.3/24")
                .withBroadcast(ip("10.1.2.255")), false));
        assertGolden("addr_add_v6_nodad", AddressCodec.newAddr(Address.of(5, "fd00::1/64")
                .withFlags(Address.F_NODAD), false));
    }

    @Test
    void routeAddReplaceDel() {
        assertGolden("route_add_via", RouteCodec.newRoute(Route.to("10.20.0.0/16").withGateway(ip("10.1.2.254"))
                .withOif(5).withMetric(100), false));
        assertGolden("route_replace_table", RouteCodec.newRoute(Route.to("10.30.0.0/16").withOif(5)
                .withTable(1000), true));
        assertGolden("route_del", RouteCodec.delRoute(Route.to("10.20.0.0/16")));
        assertGolden("route_add_default_v6", RouteCodec.newRoute(Route.defaultVia(ip("fd00::fe")), false));
    }

    @Test
    void fdbAndNeighbours() {
        assertGolden("fdb_append_flood", NeighCodec.newNeigh(Neigh.fdb(6, MacAddress.ZERO).withDst(ip("10.0.0.2")),
                NeighCodec.Mode.APPEND));
        assertGolden("fdb_add_vni", NeighCodec.newNeigh(Neigh.fdb(6, MacAddress.parse("02:42:0a:00:00:05"))
                .withDst(ip("10.0.0.3")).withVni(4242), NeighCodec.Mode.ADD));
        assertGolden("neigh_replace_v4", NeighCodec.newNeigh(Neigh.of(5, ip("10.1.2.7"),
                MacAddress.parse("02:42:0a:00:00:05")), NeighCodec.Mode.REPLACE));
        assertGolden("fdb_dump", NeighCodec.dumpNeighs(Family.BRIDGE));
    }

    @Test
    void genericNetlinkGetFamily() {
        assertGolden("genl_get_family", GenlCodec.getFamily("wireguard"));
    }
}
