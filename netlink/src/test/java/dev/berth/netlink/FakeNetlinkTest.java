package dev.berth.netlink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** What the fake offers beyond the contract: an operation log, injected failures, namespaces. */
@Tag("unit")
class FakeNetlinkTest {
    private final FakeNetlink host = new FakeNetlink("host", 1);
    private final FakeNetlink container = new FakeNetlink("c1", 2);
    private final Netns containerNs = Netns.pid(4242);

    @Test
    void operations_listEachChangeInIproute2Words() {
        host.linkAdd(Bridge.named("br0"));
        host.linkSetUp("br0");
        host.linkList();
        int br = host.linkByName("br0").index();
        host.neighAppend(Neigh.fdb(br, MacAddress.ZERO));
        assertEquals(List.of("ip -n host link add br0 type bridge", "ip -n host link set dev br0 up",
                "bridge -n host fdb append 00:00:00:00:00:00 dev #" + br + " self"), host.operations());
    }

    @Test
    void failNext_failsTheNextMatchingOperationOnceAndChangesNothing() {
        host.failNext("ip -n host link add vx", Errno.EPERM);
        NetlinkException e = assertThrows(NetlinkException.class, () -> host.linkAdd(Vxlan.of("vx1", 1)));
        assertEquals(NetlinkException.Kind.PERMISSION, e.kind());
        assertTrue(host.linkFind("vx1").isEmpty());
        host.linkAdd(Vxlan.of("vx1", 1));
        assertTrue(host.linkFind("vx1").isPresent());
    }

    @Test
    void vethPeer_createdInARegisteredNamespaceLandsThere() {
        host.registerNamespace(containerNs, container);
        host.linkAdd(Veth.pair("veth0", "eth0").withPeerNetns(containerNs));
        Veth mine = (Veth) host.linkByName("veth0");
        Veth theirs = (Veth) container.linkByName("eth0");
        assertEquals(theirs.index(), mine.peer().index());
        assertEquals(0, mine.attrs().linkNetnsId());
        assertEquals(null, mine.peerName());
        assertTrue(host.linkFind("eth0").isEmpty());
        host.linkDel("veth0");
        assertTrue(container.linkFind("eth0").isEmpty(), "a veth dies with its peer, across namespaces too");
    }

    @Test
    void linkSetNs_movesToARegisteredNamespace_downAndWithoutAddresses() {
        host.registerNamespace(containerNs, container);
        host.linkAdd(Veth.pair("veth0", "tmp0"));
        host.linkSetUp("tmp0");
        host.addrAdd(Address.of(host.linkByName("tmp0").index(), "10.9.0.2/24"));
        host.linkSetNs("tmp0", containerNs);
        Link moved = container.linkByName("tmp0");
        assertFalse(moved.attrs().up());
        assertTrue(container.addrList(Family.ALL, 0).isEmpty());
        assertTrue(host.addrList(Family.ALL, 0).isEmpty());
        assertEquals(moved.index(), ((Veth) host.linkByName("veth0")).peer().index());
    }

    @Test
    void linkSetNs_toAnUnknownNamespaceRecordsTheDeparture() {
        host.linkAdd(Veth.pair("veth0", "tmp0"));
        host.linkSetNs("tmp0", Netns.pid(777));
        assertTrue(host.linkFind("tmp0").isEmpty());
        assertEquals(Map.of("tmp0", Netns.pid(777)), host.departed());
    }

    @Test
    void loopback_cannotMove() {
        assertEquals(NetlinkException.Kind.INVALID, assertThrows(NetlinkException.class,
                () -> host.linkSetNs("lo", containerNs)).kind());
    }
}
