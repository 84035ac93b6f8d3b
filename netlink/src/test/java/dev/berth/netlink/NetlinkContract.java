package dev.berth.netlink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * What every {@link Netlink} must do, checked on a fresh, empty network namespace for each test: the kernel's
 * behaviour, as the real {@link NetlinkHandle} shows it ({@code KernelNetlinkContractIT}), and as
 * {@link FakeNetlink} must mimic it ({@code FakeNetlinkContractTest}). Assertions look only at what the test made:
 * the kernel adds things of its own (IPv6 link-local addresses, multicast neighbours, local routes).
 */
public abstract class NetlinkContract {
    protected Netlink nl;

    /** A handle on a namespace no other test uses, holding only {@code lo}. */
    protected abstract Netlink openFreshNamespace();

    /** Removes what {@link #openFreshNamespace} made; called after the handle is closed. */
    protected void removeNamespace() {
    }

    @BeforeEach
    void open() {
        nl = openFreshNamespace();
    }

    @AfterEach
    void close() {
        try {
            if (nl != null) {
                nl.close();
            }
        } finally {
            removeNamespace();
        }
    }

    protected static InetAddress ip(String literal) {
        return Inet.parse(literal);
    }

    protected int index(String name) {
        return nl.linkByName(name).index();
    }

    protected static void assertKind(NetlinkException.Kind kind, Executable call) {
        NetlinkException e = assertThrows(NetlinkException.class, call);
        assertEquals(kind, e.kind(), e.getMessage());
    }

    private Set<String> names() {
        return nl.linkList().stream().map(Link::name).collect(Collectors.toSet());
    }

    // ---- links

    @Test
    void freshNamespace_holdsOnlyLoopback() {
        List<Link> links = nl.linkList();
        assertEquals(1, links.size(), links.toString());
        assertEquals("lo", links.get(0).name());
        assertEquals(1, links.get(0).index());
    }

    @Test
    void linkAdd_bridgeIsListedAndFoundByNameAndIndex() {
        nl.linkAdd(Bridge.named("br0"));
        Link byName = nl.linkByName("br0");
        assertInstanceOf(Bridge.class, byName);
        assertEquals("bridge", byName.kind());
        assertTrue(byName.index() > 1);
        assertEquals(byName, nl.linkByIndex(byName.index()));
        assertTrue(names().contains("br0"));
        assertFalse(byName.attrs().up());
        assertEquals(1500, byName.attrs().mtu());
        assertTrue(byName.attrs().mac() != null && !byName.attrs().mac().isZero());
    }

    @Test
    void linkAdd_appliesMtuMacAndUpGivenAtCreation() {
        MacAddress mac = MacAddress.parse("02:00:00:aa:bb:01");
        nl.linkAdd(new Bridge(LinkAttrs.named("br0").withMtu(1400).withMac(mac).withUp(true)));
        LinkAttrs a = nl.linkByName("br0").attrs();
        assertEquals(1400, a.mtu());
        assertEquals(mac, a.mac());
        assertTrue(a.up());
    }

    @Test
    void linkAdd_takenNameFailsWithExists() {
        nl.linkAdd(Bridge.named("br0"));
        assertKind(NetlinkException.Kind.EXISTS, () -> nl.linkAdd(Bridge.named("br0")));
        assertKind(NetlinkException.Kind.EXISTS, () -> nl.linkAdd(Veth.pair("br0", "x0")));
    }

    @Test
    void linkDel_removesTheLink_andAMissingOneIsNotFound() {
        nl.linkAdd(Bridge.named("br0"));
        nl.linkDel("br0");
        assertFalse(names().contains("br0"));
        NetlinkException e = assertThrows(NetlinkException.class, () -> nl.linkDel("br0"));
        assertEquals(NetlinkException.Kind.NOT_FOUND, e.kind());
        assertEquals(Errno.ENODEV, e.errno());
        assertTrue(e.getMessage().contains("link del br0"), e.getMessage());
    }

    @Test
    void linkByName_missingIsNotFound_andLinkFindIsEmpty() {
        assertKind(NetlinkException.Kind.NOT_FOUND, () -> nl.linkByName("nope0"));
        assertKind(NetlinkException.Kind.NOT_FOUND, () -> nl.linkByIndex(4242));
        assertTrue(nl.linkFind("nope0").isEmpty());
    }

    @Test
    void linkSetUpAndDown_toggleUp() {
        nl.linkAdd(Bridge.named("br0"));
        nl.linkSetUp("br0");
        assertTrue(nl.linkByName("br0").attrs().up());
        nl.linkSetDown("br0");
        assertFalse(nl.linkByName("br0").attrs().up());
        assertKind(NetlinkException.Kind.NOT_FOUND, () -> nl.linkSetUp("nope0"));
    }

    @Test
    void linkSetMtu_changesIt_andAbsurdValuesAreInvalid() {
        nl.linkAdd(Veth.pair("va", "vb"));
        nl.linkSetMtu("va", 1450);
        assertEquals(1450, nl.linkByName("va").attrs().mtu());
        assertKind(NetlinkException.Kind.INVALID, () -> nl.linkSetMtu("va", 20));
        assertEquals(1450, nl.linkByName("va").attrs().mtu());
    }

    @Test
    void linkSetMac_changesIt() {
        nl.linkAdd(Veth.pair("va", "vb"));
        MacAddress mac = MacAddress.parse("02:42:0a:00:00:07");
        nl.linkSetMac("va", mac);
        assertEquals(mac, nl.linkByName("va").attrs().mac());
    }

    @Test
    void linkSetName_renames_andATakenNameIsExists() {
        nl.linkAdd(Bridge.named("br0"));
        nl.linkAdd(Bridge.named("br1"));
        int index = index("br0");
        nl.linkSetName("br0", "br9");
        assertEquals(index, index("br9"));
        assertKind(NetlinkException.Kind.NOT_FOUND, () -> nl.linkByName("br0"));
        assertKind(NetlinkException.Kind.EXISTS, () -> nl.linkSetName("br9", "br1"));
        assertKind(NetlinkException.Kind.NOT_FOUND, () -> nl.linkSetName("br0", "br5"));
    }

    @Test
    void veth_bothEndsExistAndNameEachOther() {
        nl.linkAdd(Veth.pair("va", "vb"));
        Veth a = assertInstanceOf(Veth.class, nl.linkByName("va"));
        Veth b = assertInstanceOf(Veth.class, nl.linkByName("vb"));
        assertEquals(b.index(), a.peer().index());
        assertEquals(a.index(), b.peer().index());
        assertEquals("vb", a.peerName());
        assertEquals(-1, a.attrs().linkNetnsId());
        Veth listed = (Veth) nl.linkList().stream().filter(l -> l.name().equals("vb")).findFirst().orElseThrow();
        assertEquals("va", listed.peerName());
    }

    @Test
    void veth_takenPeerNameFailsWithExists() {
        nl.linkAdd(Bridge.named("vb"));
        assertKind(NetlinkException.Kind.EXISTS, () -> nl.linkAdd(Veth.pair("va", "vb")));
        assertFalse(names().contains("va"));
    }

    @Test
    void linkDel_ofOneVethEndRemovesBoth() {
        nl.linkAdd(Veth.pair("va", "vb"));
        nl.linkDel("vb");
        assertEquals(Set.of("lo"), names());
    }

    @Test
    void linkSetMaster_enslavesToABridge_andNoMasterReleases() {
        nl.linkAdd(Bridge.named("br0"));
        nl.linkAdd(Veth.pair("va", "vb"));
        nl.linkSetMaster("va", "br0");
        assertEquals(index("br0"), nl.linkByName("va").attrs().masterIndex());
        nl.linkSetNoMaster("va");
        assertEquals(0, nl.linkByName("va").attrs().masterIndex());
    }

    @Test
    void linkSetMaster_missingMasterOrPortIsNotFound() {
        nl.linkAdd(Veth.pair("va", "vb"));
        nl.linkAdd(Bridge.named("br0"));
        assertKind(NetlinkException.Kind.NOT_FOUND, () -> nl.linkSetMaster("va", "nope0"));
        assertKind(NetlinkException.Kind.NOT_FOUND, () -> nl.linkSetMaster("nope0", "br0"));
    }

    @Test
    void linkAdd_withMasterIndexEnslavesAtCreation() {
        nl.linkAdd(Bridge.named("br0"));
        nl.linkAdd(Veth.pair("va", "vb").withAttrs(LinkAttrs.named("va").withMasterIndex(index("br0"))));
        assertEquals(index("br0"), nl.linkByName("va").attrs().masterIndex());
    }

    @Test
    void linkDel_ofABridgeReleasesItsPorts() {
        nl.linkAdd(Bridge.named("br0"));
        nl.linkAdd(Veth.pair("va", "vb"));
        nl.linkSetMaster("va", "br0");
        nl.linkDel("br0");
        assertEquals(0, nl.linkByName("va").attrs().masterIndex());
    }

    @Test
    void vxlan_readsBackEverySettingGiven() {
        nl.linkAdd(Veth.pair("under0", "under1"));
        int under = index("under0");
        nl.linkAdd(Vxlan.of("vx42", 42).withLearning(false).withLocal(ip("10.77.0.1")).withPort(4789)
                .withTtl(64).withPortRange(30000, 40000).withUnderlayIndex(under));
        Vxlan x = assertInstanceOf(Vxlan.class, nl.linkByName("vx42"));
        assertEquals(42, x.vni());
        assertEquals(ip("10.77.0.1"), x.local());
        assertNull(x.group());
        assertEquals(4789, x.port());
        assertFalse(x.learning());
        assertEquals(64, x.ttl());
        assertEquals(30000, x.portLow());
        assertEquals(40000, x.portHigh());
        assertEquals(under, x.underlayIndex());
    }

    @Test
    void vxlan_defaultsLearnOnPort4789() {
        nl.linkAdd(Vxlan.of("vx7", 7));
        Vxlan x = (Vxlan) nl.linkByName("vx7");
        assertTrue(x.learning());
        assertEquals(Vxlan.IANA_PORT, x.port());
    }

    @Test
    void vxlan_sameVniAndPortTwiceIsExists() {
        nl.linkAdd(Vxlan.of("vx42", 42));
        assertKind(NetlinkException.Kind.EXISTS, () -> nl.linkAdd(Vxlan.of("vx43", 42)));
        nl.linkAdd(Vxlan.of("vx44", 44));
    }

    @Test
    void macvlan_inBridgeModeOnAVxlan_readsBack_andGoesWithItsLowerDevice() {
        nl.linkAdd(Vxlan.of("vx42", 42));
        int vx = index("vx42");
        nl.linkAdd(Macvlan.bridge("mv0", vx).withAttrs(LinkAttrs.named("mv0").withParentIndex(vx)
                .withMac(MacAddress.parse("02:42:0a:00:00:07"))));
        Macvlan m = assertInstanceOf(Macvlan.class, nl.linkByName("mv0"));
        assertEquals(Macvlan.Mode.BRIDGE, m.mode());
        assertEquals(vx, m.attrs().parentIndex());
        assertEquals(MacAddress.parse("02:42:0a:00:00:07"), m.attrs().mac());
        nl.linkDel("vx42");
        assertEquals(Set.of("lo"), names());
    }

    @Test
    void linkDel_ofTheUnderlayRemovesTheVxlan() {
        nl.linkAdd(Veth.pair("under0", "under1"));
        nl.linkAdd(Vxlan.of("vx42", 42).withUnderlayIndex(index("under0")));
        nl.linkDel("under0");
        assertEquals(Set.of("lo"), names());
    }

    // ---- addresses

    @Test
    void addrAdd_ipv4IsListedLabelledWithTheLink_andDelRemovesIt() {
        nl.linkAdd(Bridge.named("br0"));
        int br = index("br0");
        nl.addrAdd(Address.of(br, "10.60.0.1/24").withBroadcast(ip("10.60.0.255")));
        List<Address> got = nl.addrList(Family.INET, br);
        assertEquals(1, got.size(), got.toString());
        Address a = got.get(0);
        assertEquals(IpPrefix.parse("10.60.0.1/24"), a.prefix());
        assertEquals(ip("10.60.0.255"), a.broadcast());
        assertEquals("br0", a.label());
        assertTrue((a.flags() & Address.F_PERMANENT) != 0);
        nl.addrDel(Address.of(br, "10.60.0.1/24"));
        assertTrue(nl.addrList(Family.INET, br).isEmpty());
    }

    @Test
    void addrAdd_twiceIsExists_delOfAMissingOneIsNotFound_missingLinkIsNotFound() {
        nl.linkAdd(Bridge.named("br0"));
        int br = index("br0");
        nl.addrAdd(Address.of(br, "10.60.0.1/24"));
        assertKind(NetlinkException.Kind.EXISTS, () -> nl.addrAdd(Address.of(br, "10.60.0.1/24")));
        assertKind(NetlinkException.Kind.NOT_FOUND, () -> nl.addrDel(Address.of(br, "10.60.0.2/24")));
        assertKind(NetlinkException.Kind.NOT_FOUND, () -> nl.addrAdd(Address.of(4242, "10.60.0.1/24")));
    }

    @Test
    void addrReplace_addsOrKeepsOne() {
        nl.linkAdd(Bridge.named("br0"));
        int br = index("br0");
        nl.addrReplace(Address.of(br, "10.60.0.1/24"));
        nl.addrReplace(Address.of(br, "10.60.0.1/24"));
        assertEquals(1, nl.addrList(Family.INET, br).size());
    }

    @Test
    void addrAdd_ipv6WithNoDadIsListed_andTheFamilyFilterHolds() {
        nl.linkAdd(Bridge.named("br0"));
        int br = index("br0");
        nl.addrAdd(Address.of(br, "10.60.0.1/24"));
        nl.addrAdd(Address.of(br, "fd00:60::1/64").withFlags(Address.F_NODAD));
        List<Address> v6 = nl.addrList(Family.INET6, br).stream()
                .filter(a -> !a.prefix().address().isLinkLocalAddress()).toList();
        assertEquals(1, v6.size(), v6.toString());
        assertEquals(IpPrefix.parse("fd00:60::1/64"), v6.get(0).prefix());
        assertTrue((v6.get(0).flags() & Address.F_NODAD) != 0);
        assertTrue(nl.addrList(Family.INET, br).stream().allMatch(a -> a.family() == Family.INET));
        assertEquals(2, nl.addrList(Family.ALL, br).stream()
                .filter(a -> !a.prefix().address().isLinkLocalAddress()).count());
    }

    @Test
    void linkDel_takesItsAddressesAlong() {
        nl.linkAdd(Bridge.named("br0"));
        int br = index("br0");
        nl.addrAdd(Address.of(br, "10.60.0.1/24"));
        nl.linkDel("br0");
        assertTrue(nl.addrList(Family.ALL, br).isEmpty());
    }

    // ---- per-device IPv4 settings

    @Test
    void linkSetIpv4Conf_setsProxyArp_overNetlink() {
        nl.linkAdd(Veth.pair("pa0", "pa1"));
        assertEquals(0, nl.linkIpv4Conf("pa0", Ipv4Conf.PROXY_ARP));
        nl.linkSetIpv4Conf("pa0", Ipv4Conf.PROXY_ARP, 1);
        assertEquals(1, nl.linkIpv4Conf("pa0", Ipv4Conf.PROXY_ARP));
        assertEquals(0, nl.linkIpv4Conf("pa1", Ipv4Conf.PROXY_ARP), "only that device");
        nl.linkSetIpv4Conf("pa0", Ipv4Conf.PROXY_ARP, 0);
        assertEquals(0, nl.linkIpv4Conf("pa0", Ipv4Conf.PROXY_ARP));
        assertKind(NetlinkException.Kind.NOT_FOUND, () -> nl.linkSetIpv4Conf("nope0", Ipv4Conf.PROXY_ARP, 1));
    }

    // ---- rules

    @Test
    void freshNamespace_hasTheDefaultRules() {
        List<Rule> v4 = nl.ruleList(Family.INET);
        assertTrue(v4.contains(new Rule(Family.INET, null, 255, 0)), v4.toString());
        assertTrue(v4.contains(new Rule(Family.INET, null, Route.TABLE_MAIN, Rule.PRIORITY_MAIN)), v4.toString());
        assertTrue(v4.stream().allMatch(r -> r.family() == Family.INET));
    }

    @Test
    void ruleAdd_iifLookup_isListedAndDeleted() {
        Rule r = Rule.iif("wv1234", 1042, 1100);
        nl.ruleAdd(r);
        assertTrue(nl.ruleList(Family.INET).contains(r), nl.ruleList(Family.INET).toString());
        assertFalse(nl.ruleList(Family.INET6).contains(r));
        assertKind(NetlinkException.Kind.EXISTS, () -> nl.ruleAdd(r));
        Rule big = Rule.iif("wg0", 70_000, 1101);
        nl.ruleAdd(big);
        assertTrue(nl.ruleList(Family.ALL).contains(big));
        nl.ruleDel(r);
        assertFalse(nl.ruleList(Family.INET).contains(r));
        assertTrue(nl.ruleList(Family.INET).contains(big));
        assertKind(NetlinkException.Kind.NOT_FOUND, () -> nl.ruleDel(r));
        nl.ruleDel(big);
    }

    @Test
    void ruleAdd_withoutPriority_goesBeforeMain() {
        nl.ruleAdd(Rule.iif("wv9", 1043, 0));
        Rule got = nl.ruleList(Family.INET).stream().filter(x -> x.table() == 1043).findFirst().orElseThrow();
        assertTrue(got.priority() > 0 && got.priority() < Rule.PRIORITY_MAIN, got.toString());
        nl.ruleDel(Rule.iif("wv9", 1043, 0));
        assertTrue(nl.ruleList(Family.INET).stream().noneMatch(x -> x.table() == 1043));
    }

    // ---- routes

    private int upBridgeWith(String name, String cidr) {
        nl.linkAdd(Bridge.named(name));
        int i = index(name);
        nl.addrAdd(Address.of(i, cidr).withFlags(Address.F_NODAD));
        nl.linkSetUp(name);
        return i;
    }

    private List<Route> mainRoutesTo(Family f, String dst) {
        return nl.routeList(f, Route.TABLE_MAIN).stream().filter(r -> r.dst().equals(IpPrefix.parse(dst))).toList();
    }

    @Test
    void addressOnAnUpLink_bringsAConnectedRoute() {
        int br = upBridgeWith("br0", "10.60.0.1/24");
        List<Route> r = mainRoutesTo(Family.INET, "10.60.0.0/24");
        assertEquals(1, r.size(), r.toString());
        assertEquals(br, r.get(0).oif());
        assertEquals(Route.PROTO_KERNEL, r.get(0).protocol());
        assertEquals(Route.SCOPE_LINK, r.get(0).scope());
        assertEquals(ip("10.60.0.1"), r.get(0).prefSrc());
    }

    @Test
    void routeAdd_throughADeviceIsListedWithScopeLink_andDelRemovesIt() {
        int br = upBridgeWith("br0", "10.60.0.1/24");
        nl.routeAdd(Route.to("10.61.0.0/16").withOif(br));
        List<Route> r = mainRoutesTo(Family.INET, "10.61.0.0/16");
        assertEquals(1, r.size());
        assertEquals(br, r.get(0).oif());
        assertEquals(Route.SCOPE_LINK, r.get(0).scope());
        assertEquals(Route.PROTO_BOOT, r.get(0).protocol());
        nl.routeDel(Route.to("10.61.0.0/16").withOif(br));
        assertTrue(mainRoutesTo(Family.INET, "10.61.0.0/16").isEmpty());
        assertKind(NetlinkException.Kind.NOT_FOUND, () -> nl.routeDel(Route.to("10.61.0.0/16").withOif(br)));
    }

    @Test
    void routeAdd_viaAGatewayFindsItsDevice_twiceIsExists_replaceOverwrites() {
        int br = upBridgeWith("br0", "10.60.0.1/24");
        nl.routeAdd(Route.to("10.62.0.0/16").withGateway(ip("10.60.0.2")).withMetric(10));
        Route r = mainRoutesTo(Family.INET, "10.62.0.0/16").get(0);
        assertEquals(ip("10.60.0.2"), r.gateway());
        assertEquals(br, r.oif());
        assertEquals(10, r.metric());
        assertEquals(Route.SCOPE_UNIVERSE, r.scope());
        assertKind(NetlinkException.Kind.EXISTS,
                () -> nl.routeAdd(Route.to("10.62.0.0/16").withGateway(ip("10.60.0.3")).withMetric(10)));
        nl.routeReplace(Route.to("10.62.0.0/16").withGateway(ip("10.60.0.3")).withMetric(10));
        List<Route> after = mainRoutesTo(Family.INET, "10.62.0.0/16");
        assertEquals(1, after.size(), after.toString());
        assertEquals(ip("10.60.0.3"), after.get(0).gateway());
        nl.routeAdd(Route.to("10.62.0.0/16").withGateway(ip("10.60.0.4")).withMetric(20));
        assertEquals(2, mainRoutesTo(Family.INET, "10.62.0.0/16").size());
    }

    @Test
    void routeAdd_defaultRouteAndCustomTable() {
        upBridgeWith("br0", "10.60.0.1/24");
        nl.routeAdd(Route.defaultVia(ip("10.60.0.254")));
        nl.routeAdd(Route.to("10.63.0.0/16").withGateway(ip("10.60.0.9")).withTable(1000));
        assertTrue(nl.routeList(Family.INET, Route.TABLE_MAIN).stream()
                .anyMatch(r -> r.isDefault() && ip("10.60.0.254").equals(r.gateway())));
        List<Route> t = nl.routeList(Family.INET, 1000);
        assertEquals(1, t.size(), t.toString());
        assertEquals(1000, t.get(0).table());
        assertTrue(mainRoutesTo(Family.INET, "10.63.0.0/16").isEmpty());
        nl.routeDel(Route.to("10.63.0.0/16").withTable(1000));
        assertTrue(nl.routeList(Family.INET, 1000).isEmpty());
    }

    @Test
    void routeAdd_throughADownDeviceIsUnreachable() {
        nl.linkAdd(Bridge.named("br0"));
        int br = index("br0");
        NetlinkException e = assertThrows(NetlinkException.class,
                () -> nl.routeAdd(Route.to("10.61.0.0/16").withOif(br)));
        assertEquals(Errno.ENETDOWN, e.errno(), e.getMessage());
        assertEquals(NetlinkException.Kind.UNREACHABLE, e.kind());
    }

    @Test
    void routeAdd_viaAGatewayOnNoConnectedSubnetIsRefused() {
        upBridgeWith("br0", "10.60.0.1/24");
        NetlinkException e = assertThrows(NetlinkException.class,
                () -> nl.routeAdd(Route.to("10.64.0.0/16").withGateway(ip("10.99.0.1"))));
        assertEquals(Errno.ENETUNREACH, e.errno(), e.getMessage());
        assertEquals(NetlinkException.Kind.UNREACHABLE, e.kind(), e.getMessage());
    }

    @Test
    void routeAdd_ipv6ViaAGatewayOnNoConnectedPrefixIsUnreachable() {
        upBridgeWith("br0", "fd00:60::1/64");
        NetlinkException e = assertThrows(NetlinkException.class,
                () -> nl.routeAdd(Route.to("fd00:64::/64").withGateway(ip("fd00:99::1"))));
        assertEquals(Errno.EHOSTUNREACH, e.errno(), e.getMessage());
    }

    @Test
    void linkSetDown_dropsTheRoutesThroughTheLink() {
        int br = upBridgeWith("br0", "10.60.0.1/24");
        nl.routeAdd(Route.to("10.61.0.0/16").withOif(br));
        nl.linkSetDown("br0");
        assertTrue(mainRoutesTo(Family.INET, "10.61.0.0/16").isEmpty());
        assertTrue(mainRoutesTo(Family.INET, "10.60.0.0/24").isEmpty());
    }

    @Test
    void routeAdd_ipv6GetsMetric1024ByDefault_andDeletes() {
        int br = upBridgeWith("br0", "fd00:60::1/64");
        nl.routeAdd(Route.to("fd00:61::/64").withGateway(ip("fd00:60::2")));
        List<Route> r = mainRoutesTo(Family.INET6, "fd00:61::/64");
        assertEquals(1, r.size(), r.toString());
        assertEquals(1024, r.get(0).metric());
        assertEquals(br, r.get(0).oif());
        assertEquals(ip("fd00:60::2"), r.get(0).gateway());
        nl.routeDel(Route.to("fd00:61::/64"));
        assertTrue(mainRoutesTo(Family.INET6, "fd00:61::/64").isEmpty());
    }

    // ---- neighbours

    @Test
    void neighAdd_arpEntryIsListed_twiceIsExists_replaceChangesTheMac_delRemoves() {
        nl.linkAdd(Veth.pair("va", "vb"));
        int va = index("va");
        MacAddress m1 = MacAddress.parse("02:00:00:00:00:01");
        MacAddress m2 = MacAddress.parse("02:00:00:00:00:02");
        nl.neighAdd(Neigh.of(va, ip("10.60.0.7"), m1));
        assertEquals(List.of(m1), macsOf(Family.INET, va, "10.60.0.7"));
        Neigh got = nl.neighList(Family.INET, va).stream().filter(n -> n.ip().equals(ip("10.60.0.7")))
                .findFirst().orElseThrow();
        assertEquals(Neigh.NUD_PERMANENT, got.state());
        assertKind(NetlinkException.Kind.EXISTS, () -> nl.neighAdd(Neigh.of(va, ip("10.60.0.7"), m2)));
        nl.neighReplace(Neigh.of(va, ip("10.60.0.7"), m2));
        assertEquals(List.of(m2), macsOf(Family.INET, va, "10.60.0.7"));
        nl.neighDel(Neigh.of(va, ip("10.60.0.7"), null));
        assertTrue(macsOf(Family.INET, va, "10.60.0.7").isEmpty());
        assertKind(NetlinkException.Kind.NOT_FOUND, () -> nl.neighDel(Neigh.of(va, ip("10.60.0.7"), null)));
    }

    @Test
    void neighAdd_ndpEntryIsListedUnderInet6AndAll() {
        nl.linkAdd(Veth.pair("va", "vb"));
        int va = index("va");
        MacAddress m = MacAddress.parse("02:00:00:00:00:06");
        nl.neighAdd(Neigh.of(va, ip("fd00:60::6"), m));
        assertEquals(List.of(m), macsOf(Family.INET6, va, "fd00:60::6"));
        assertEquals(List.of(m), macsOf(Family.ALL, va, "fd00:60::6"));
        assertTrue(macsOf(Family.INET, va, "fd00:60::6").isEmpty());
    }

    @Test
    void neighAdd_onAMissingLinkIsNotFound() {
        assertKind(NetlinkException.Kind.NOT_FOUND,
                () -> nl.neighAdd(Neigh.of(4242, ip("10.60.0.7"), MacAddress.parse("02:00:00:00:00:01"))));
    }

    @Test
    void linkSetDown_flushesTheLinksNeighbours() {
        nl.linkAdd(Veth.pair("va", "vb"));
        int va = index("va");
        nl.linkSetUp("va");
        nl.neighAdd(Neigh.of(va, ip("10.60.0.7"), MacAddress.parse("02:00:00:00:00:01")));
        nl.linkSetDown("va");
        assertTrue(macsOf(Family.INET, va, "10.60.0.7").isEmpty());
    }

    private List<MacAddress> macsOf(Family f, int link, String ip) {
        return nl.neighList(f, link).stream().filter(n -> ip(ip).equals(n.ip())).map(Neigh::mac).toList();
    }

    // ---- forwarding database

    private int vxlan() {
        nl.linkAdd(Vxlan.of("vx42", 42).withLearning(false).withLocal(ip("10.77.0.1")));
        nl.linkSetUp("vx42");
        return index("vx42");
    }

    private List<Neigh> fdbOf(int link, MacAddress mac) {
        return nl.neighList(Family.BRIDGE, link).stream()
                .filter(n -> n.mac().equals(mac) && n.linkIndex() == link).toList();
    }

    private static Set<InetAddress> dsts(List<Neigh> entries) {
        return entries.stream().map(Neigh::ip).collect(Collectors.toSet());
    }

    @Test
    void fdbAppend_allZeroMacToTwoRemotes_listsOneEntryPerRemote() {
        int vx = vxlan();
        nl.neighAppend(Neigh.fdb(vx, MacAddress.ZERO).withDst(ip("10.77.0.2")));
        nl.neighAppend(Neigh.fdb(vx, MacAddress.ZERO).withDst(ip("10.77.0.3")));
        nl.neighAppend(Neigh.fdb(vx, MacAddress.ZERO).withDst(ip("10.77.0.3"))); // again: no change, no error
        List<Neigh> flood = fdbOf(vx, MacAddress.ZERO);
        assertEquals(Set.of(ip("10.77.0.2"), ip("10.77.0.3")), dsts(flood));
        assertEquals(2, flood.size(), flood.toString());
        for (Neigh n : flood) {
            assertEquals(Family.BRIDGE, n.family());
            assertTrue((n.flags() & Neigh.NTF_SELF) != 0, n.toString());
            assertEquals(Neigh.NUD_PERMANENT, n.state());
        }
    }

    @Test
    void fdbAdd_ofAnExistingMacIsExists_evenToAnotherRemote() {
        int vx = vxlan();
        nl.neighAdd(Neigh.fdb(vx, MacAddress.ZERO).withDst(ip("10.77.0.2")));
        assertKind(NetlinkException.Kind.EXISTS,
                () -> nl.neighAdd(Neigh.fdb(vx, MacAddress.ZERO).withDst(ip("10.77.0.5"))));
    }

    @Test
    void fdbDel_withADstRemovesOnlyThatRemote_andTheLastTakesTheEntry() {
        int vx = vxlan();
        nl.neighAppend(Neigh.fdb(vx, MacAddress.ZERO).withDst(ip("10.77.0.2")));
        nl.neighAppend(Neigh.fdb(vx, MacAddress.ZERO).withDst(ip("10.77.0.3")));
        nl.neighDel(Neigh.fdb(vx, MacAddress.ZERO).withDst(ip("10.77.0.2")));
        assertEquals(Set.of(ip("10.77.0.3")), dsts(fdbOf(vx, MacAddress.ZERO)));
        nl.neighDel(Neigh.fdb(vx, MacAddress.ZERO).withDst(ip("10.77.0.3")));
        assertTrue(fdbOf(vx, MacAddress.ZERO).isEmpty());
        assertKind(NetlinkException.Kind.NOT_FOUND,
                () -> nl.neighDel(Neigh.fdb(vx, MacAddress.ZERO).withDst(ip("10.77.0.3"))));
    }

    @Test
    void fdbDel_ofARemoteTheMacDoesNotHave_succeedsAndChangesNothing() {
        int vx = vxlan();
        nl.neighAppend(Neigh.fdb(vx, MacAddress.ZERO).withDst(ip("10.77.0.2")));
        nl.neighDel(Neigh.fdb(vx, MacAddress.ZERO).withDst(ip("10.77.0.9")));
        assertEquals(Set.of(ip("10.77.0.2")), dsts(fdbOf(vx, MacAddress.ZERO)));
    }

    @Test
    void fdbReplace_movesAUnicastMacToAnotherRemote_butNotTheFloodEntry() {
        int vx = vxlan();
        MacAddress m = MacAddress.parse("02:42:0a:00:00:05");
        nl.neighReplace(Neigh.fdb(vx, m).withDst(ip("10.77.0.2")));
        nl.neighReplace(Neigh.fdb(vx, m).withDst(ip("10.77.0.3")));
        assertEquals(Set.of(ip("10.77.0.3")), dsts(fdbOf(vx, m)));
        nl.neighAppend(Neigh.fdb(vx, MacAddress.ZERO).withDst(ip("10.77.0.2")));
        assertKind(NetlinkException.Kind.NOT_SUPPORTED,
                () -> nl.neighReplace(Neigh.fdb(vx, MacAddress.ZERO).withDst(ip("10.77.0.3"))));
    }

    @Test
    void fdbAdd_inAnotherVniReadsBackWithIt() {
        int vx = vxlan();
        MacAddress m = MacAddress.parse("02:42:0a:00:00:06");
        nl.neighAdd(Neigh.fdb(vx, m).withDst(ip("10.77.0.2")).withVni(4242));
        List<Neigh> e = fdbOf(vx, m);
        assertEquals(1, e.size());
        assertEquals(4242, e.get(0).vni());
        MacAddress own = MacAddress.parse("02:42:0a:00:00:07");
        nl.neighAdd(Neigh.fdb(vx, own).withDst(ip("10.77.0.2")).withVni(42));
        assertEquals(Neigh.NO_VNI, fdbOf(vx, own).get(0).vni()); // the device's own VNI is not reported
    }

    @Test
    void fdb_permanentAndStaticEntriesSurviveTheVxlanGoingDown() {
        int vx = vxlan();
        MacAddress stat = MacAddress.parse("02:42:0a:00:00:08");
        nl.neighAppend(Neigh.fdb(vx, MacAddress.ZERO).withDst(ip("10.77.0.2")));
        MacAddress dynamic = MacAddress.parse("02:42:0a:00:00:0a");
        int iprouteStatic = Neigh.NUD_NOARP | Neigh.NUD_REACHABLE;
        nl.neighAdd(Neigh.fdb(vx, stat).withDst(ip("10.77.0.2")).withState(iprouteStatic));
        nl.neighAdd(Neigh.fdb(vx, dynamic).withDst(ip("10.77.0.2")).withState(Neigh.NUD_REACHABLE));
        nl.linkSetDown("vx42");
        assertEquals(1, fdbOf(vx, MacAddress.ZERO).size());
        assertEquals(iprouteStatic, fdbOf(vx, stat).get(0).state());
        assertTrue(fdbOf(vx, dynamic).isEmpty());
    }

    @Test
    void fdbAdd_onVxlanWithoutPermanentOrReachableStateIsInvalid() {
        int vx = vxlan();
        assertKind(NetlinkException.Kind.INVALID, () -> nl.neighAdd(Neigh.fdb(vx, MacAddress.parse("02:42:0a:00:00:0b"))
                .withDst(ip("10.77.0.2")).withState(Neigh.NUD_NOARP)));
    }

    @Test
    void fdbAdd_throughTheMasterLandsInTheBridgeForThatPort() {
        nl.linkAdd(Bridge.named("br0"));
        nl.linkAdd(Veth.pair("va", "vb"));
        nl.linkSetMaster("va", "br0");
        int va = index("va");
        MacAddress m = MacAddress.parse("02:42:0a:00:00:09");
        Neigh entry = Neigh.fdb(va, m).withFlags(Neigh.NTF_MASTER).withState(Neigh.NUD_NOARP);
        nl.neighAdd(entry);
        List<Neigh> got = fdbOf(va, m);
        assertEquals(1, got.size(), got.toString());
        assertEquals(index("br0"), got.get(0).masterIndex());
        assertEquals(Neigh.NUD_NOARP, got.get(0).state());
        assertKind(NetlinkException.Kind.EXISTS, () -> nl.neighAdd(entry));
        nl.neighDel(entry);
        assertTrue(fdbOf(va, m).isEmpty());
    }

    @Test
    void linkDel_ofTheVxlanTakesItsFdbAlong() {
        int vx = vxlan();
        nl.neighAppend(Neigh.fdb(vx, MacAddress.ZERO).withDst(ip("10.77.0.2")));
        nl.linkDel("vx42");
        assertTrue(nl.neighList(Family.BRIDGE, vx).isEmpty());
    }

    // ---- the handle

    @Test
    void close_makesLaterCallsFailPlainly() {
        nl.close();
        NetlinkException e = assertThrows(NetlinkException.class, nl::linkList);
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
    }
}
