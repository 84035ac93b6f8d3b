package dev.berth.overlay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.berth.exec.Command;
import dev.berth.exec.CommandResult;
import dev.berth.netlink.Address;
import dev.berth.netlink.MacAddress;
import dev.berth.netlink.NetlinkHandle;
import dev.berth.netlink.Netns;
import dev.berth.netlink.Veth;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The overlay's data plane in the real kernel: two "hosts" (namespaces joined by a veth underlay), each with the
 * network's bridge and VXLAN device and one "container" namespace holding the endpoint's veth end; the peers are
 * programmed as the control plane does (static FDB + permanent neighbour, learning off, ARP proxy), and containers
 * ping across. Namespaces are made here and removed afterwards, also on failure.
 */
@Tag("integration")
class KernelDataplaneIT {
    private final List<String> namespaces = new ArrayList<>();
    private final List<NetlinkHandle> handles = new ArrayList<>();
    private final String tag = Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000, 0xffff));

    @BeforeEach
    void root() {
        assumeTrue("0".equals(Command.of("id", "-u").run().stdout().trim()), "needs root (namespaces, links)");
    }

    @AfterEach
    void cleanUp() {
        handles.forEach(NetlinkHandle::close);
        for (String ns : namespaces) {
            Command.of("ip", "netns", "del", ns).run();
        }
    }

    private String netns(String role) {
        String name = "berth-ovtest-" + tag + "-" + role;
        Command.of("ip", "netns", "add", name).check();
        namespaces.add(name);
        Command.of("ip", "netns", "exec", name, "ip", "link", "set", "lo", "up").check();
        return name;
    }

    private NetlinkHandle handle(String ns) {
        NetlinkHandle h = NetlinkHandle.open(Netns.named(ns));
        handles.add(h);
        return h;
    }

    private static CommandResult ping(String ns, String target) {
        return Command.of("ip", "netns", "exec", ns, "busybox", "ping", "-c", "2", "-W", "2", target)
                .timeout(Duration.ofSeconds(15)).run();
    }

    @Test
    void containersOnTwoHosts_reachEachOtherOverVxlan_withOnlyStaticEntries() throws Exception {
        String u1 = netns("u1");
        String u2 = netns("u2");
        String c1 = netns("c1");
        String c2 = netns("c2");
        String c3 = netns("c3");
        NetlinkHandle h1 = handle(u1);
        NetlinkHandle h2 = handle(u2);
        h1.linkAdd(Veth.pair("eth0", "eth0x").withPeerNetns(Netns.named(u2)));
        h2.linkSetName("eth0x", "eth0");
        h1.addrAdd(Address.of(h1.linkByName("eth0").index(), "10.77.0.1/24"));
        h2.addrAdd(Address.of(h2.linkByName("eth0").index(), "10.77.0.2/24"));
        h1.linkSetUp("eth0");
        h2.linkSetUp("eth0");

        MacAddress mac1 = MacAddress.parse("02:42:0a:c8:00:02");
        MacAddress mac2 = MacAddress.parse("02:42:0a:c8:00:03");
        KernelDataplane dp1 = new KernelDataplane(h1, 5000, InetAddress.getByName("10.77.0.1"),
                h1.linkByName("eth0").index(), 1450);
        KernelDataplane dp2 = new KernelDataplane(h2, 5000, InetAddress.getByName("10.77.0.2"),
                h2.linkByName("eth0").index(), 1450);
        for (KernelDataplane dp : List.of(dp1, dp2)) {
            dp.ensureNetwork();
            dp.ensureNetwork(); // idempotent: a restarted plugin applies its view again
        }
        attach(h1, dp1.createEndpoint("ep1aaaaaaaaaaaa", mac1), c1, "10.200.0.2/24");
        attach(h2, dp2.createEndpoint("ep2bbbbbbbbbbbb", mac2), c2, "10.200.0.3/24");
        attach(h1, dp1.createEndpoint("ep3cccccccccccc", MacAddress.parse("02:42:0a:c8:00:04")), c3,
                "10.200.0.4/24");
        CommandResult local = ping(c3, "10.200.0.2");
        assertTrue(local.ok(), "two endpoints on one host reach each other (macvlan bridge mode): " + local.stdout());

        assertFalse(ping(c1, "10.200.0.3").ok(), "no peer programmed yet: nothing floods, nothing learns");
        Peer p2 = new Peer(5000, mac2.toString(), "10.200.0.3", null, "10.77.0.2");
        Peer p1 = new Peer(5000, mac1.toString(), "10.200.0.2", null, "10.77.0.1");
        dp1.addPeer(p2);
        dp2.addPeer(p1);
        dp1.addPeer(p2); // replace semantics: programming twice is harmless
        CommandResult ok = ping(c1, "10.200.0.3");
        assertTrue(ok.ok(), ok.stdout() + ok.stderr());
        assertEquals(List.of(p2), dp1.programmedPeers(), "a restarted plugin reads back what it programmed");

        dp1.removePeer(p2);
        assertFalse(ping(c1, "10.200.0.3").ok(), "a removed peer is unreachable");
        dp1.deleteEndpoint("ep1aaaaaaaaaaaa");
        dp1.deleteNetwork();
        assertTrue(h1.linkFind(dp1.vxlanName()).isEmpty()
                && h1.linkFind(KernelDataplane.deviceOf("ep1aaaaaaaaaaaa")).isEmpty(),
                "deleting the network leaves no device behind");
        try (NetlinkHandle c = NetlinkHandle.open(Netns.named(c3))) {
            assertTrue(c.linkFind("vcep3ccccccc").isEmpty(), "an endpoint's macvlan goes with its network");
        }
        dp1.deleteNetwork(); // and again: nothing to do, no error
    }

    private static void attach(NetlinkHandle host, String device, String container, String cidr) {
        host.linkSetNs(device, Netns.named(container));
        try (NetlinkHandle c = NetlinkHandle.open(Netns.named(container))) {
            c.addrAdd(Address.of(c.linkByName(device).index(), cidr));
            c.linkSetUp(device);
        }
    }
}
