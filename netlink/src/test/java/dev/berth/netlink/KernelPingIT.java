package dev.berth.netlink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Proof that programmed state carries packets: two fresh namespaces, set up only through this library, then
 * {@code ping} between them: over a veth pair, through a route, and over a VXLAN overlay with learning off whose
 * FDB is static (flooding through the all-zero MAC, then unicast entries and permanent ARP as the overlay driver
 * will program them).
 */
@Tag("integration")
class KernelPingIT {
    private TestNamespaces namespaces;
    private String ns1;
    private String ns2;
    private NetlinkHandle h1;
    private NetlinkHandle h2;

    @BeforeAll
    static void needsRoot() {
        TestNamespaces.assumeRoot();
    }

    @BeforeEach
    void twoNamespaces() {
        namespaces = new TestNamespaces();
        ns1 = namespaces.create();
        ns2 = namespaces.create();
        h1 = NetlinkHandle.open(Netns.named(ns1));
        h2 = NetlinkHandle.open(Netns.named(ns2));
    }

    @AfterEach
    void removeThem() {
        try {
            closeQuietly(h1);
            closeQuietly(h2);
        } finally {
            namespaces.close();
        }
    }

    private static InetAddress ip(String s) {
        return Inet.parse(s);
    }

    /** v1 in ns1 and v2 in ns2 (created there directly), addressed and up. */
    private void vethBetween(String a1, String a2) {
        h1.linkAdd(Veth.pair("v1", "v2").withPeerNetns(Netns.named(ns2)));
        h1.addrAdd(Address.of(h1.linkByName("v1").index(), a1));
        h2.addrAdd(Address.of(h2.linkByName("v2").index(), a2));
        for (NetlinkHandle h : new NetlinkHandle[] {h1, h2}) {
            h.linkSetUp("lo");
        }
        h1.linkSetUp("v1");
        h2.linkSetUp("v2");
    }

    @Test
    void vethPeerCreatedInAnotherNamespace_carriesPing() {
        vethBetween("10.200.0.1/24", "10.200.0.2/24");
        Veth v1 = (Veth) h1.linkByName("v1");
        assertTrue(v1.attrs().linkNetnsId() >= 0, "the peer is in another namespace: " + v1);
        assertNull(v1.peerName(), "a peer in another namespace has no name here");
        assertTrue(h2.linkFind("v2").isPresent() && h1.linkFind("v2").isEmpty(), "v2 lives in ns2 only");
        TestNamespaces.Result r = Ping.from(ns1, "10.200.0.2");
        assertEquals(0, r.exit(), r.output());
    }

    @Test
    void routeViaGateway_carriesPingToAnAddressBehindIt() {
        vethBetween("10.200.0.1/24", "10.200.0.2/24");
        h2.linkAdd(new Bridge(LinkAttrs.named("br0").withUp(true)));
        h2.addrAdd(Address.of(h2.linkByName("br0").index(), "10.201.0.1/24"));
        h1.routeAdd(Route.to("10.201.0.0/24").withGateway(ip("10.200.0.2")));
        TestNamespaces.Result r = Ping.from(ns1, "10.201.0.1");
        assertEquals(0, r.exit(), r.output());
        h1.routeDel(Route.to("10.201.0.0/24"));
        assertTrue(Ping.from(ns1, "10.201.0.1", 1).exit() != 0, "without the route, no answer");
    }

    /** Each namespace: underlay veth end, a VXLAN (learning off) on it, a bridge with the VXLAN as port. */
    private void overlay(NetlinkHandle h, String underlayDev, String local, String overlayCidr) {
        h.linkAdd(Vxlan.of("vx42", 42).withLearning(false).withLocal(ip(local))
                .withUnderlayIndex(h.linkByName(underlayDev).index()).withPort(4789));
        h.linkAdd(Bridge.named("br42"));
        h.linkSetMtu("vx42", 1450);
        h.linkSetMaster("vx42", "br42");
        h.addrAdd(Address.of(h.linkByName("br42").index(), overlayCidr));
        h.linkSetUp("vx42");
        h.linkSetUp("br42");
    }

    @Test
    void vxlanOverlay_withStaticFdb_carriesPingBetweenNamespaces() {
        vethBetween("10.210.0.1/24", "10.210.0.2/24");
        overlay(h1, "v1", "10.210.0.1", "10.211.0.1/24");
        overlay(h2, "v2", "10.210.0.2", "10.211.0.2/24");
        int vx1 = h1.linkByName("vx42").index();
        int vx2 = h2.linkByName("vx42").index();

        // flooding: ARP and unknown unicast go to every remote listed under 00:00:00:00:00:00
        h1.neighAppend(Neigh.fdb(vx1, MacAddress.ZERO).withDst(ip("10.210.0.2")));
        h2.neighAppend(Neigh.fdb(vx2, MacAddress.ZERO).withDst(ip("10.210.0.1")));
        TestNamespaces.Result flooded = Ping.from(ns1, "10.211.0.2");
        assertEquals(0, flooded.exit(), "over the flood entries: " + flooded.output());

        // static: no flooding at all, each side knows the other's MAC, remote and ARP entry
        h1.neighDel(Neigh.fdb(vx1, MacAddress.ZERO).withDst(ip("10.210.0.2")));
        h2.neighDel(Neigh.fdb(vx2, MacAddress.ZERO).withDst(ip("10.210.0.1")));
        MacAddress br1 = h1.linkByName("br42").attrs().mac();
        MacAddress br2 = h2.linkByName("br42").attrs().mac();
        int brIndex1 = h1.linkByName("br42").index();
        int brIndex2 = h2.linkByName("br42").index();
        h1.neighAdd(Neigh.fdb(vx1, br2).withDst(ip("10.210.0.2")));
        h2.neighAdd(Neigh.fdb(vx2, br1).withDst(ip("10.210.0.1")));
        // the bridges learned each other's MAC on the VXLAN port during the flooded ping: replace, not add
        h1.neighReplace(Neigh.fdb(vx1, br2).withFlags(Neigh.NTF_MASTER).withState(Neigh.NUD_NOARP));
        h2.neighReplace(Neigh.fdb(vx2, br1).withFlags(Neigh.NTF_MASTER).withState(Neigh.NUD_NOARP));
        h1.neighReplace(Neigh.of(brIndex1, ip("10.211.0.2"), br2));
        h2.neighReplace(Neigh.of(brIndex2, ip("10.211.0.1"), br1));
        TestNamespaces.Result unicast = Ping.from(ns1, "10.211.0.2");
        assertEquals(0, unicast.exit(), "over static entries: " + unicast.output());

        // and the remote entry is what carries it: remove it, and the overlay is silent
        h1.neighDel(Neigh.fdb(vx1, br2).withDst(ip("10.210.0.2")));
        assertTrue(Ping.from(ns1, "10.211.0.2", 1).exit() != 0, "without an FDB entry to the remote, no answer");
    }

    private static void closeQuietly(NetlinkHandle h) {
        if (h != null) {
            h.close();
        }
    }
}
