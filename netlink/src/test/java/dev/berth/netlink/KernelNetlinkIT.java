package dev.berth.netlink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** What only the real kernel can show: namespaces, moves, long dumps, concurrency, the kernel's own error texts. */
@Tag("integration")
class KernelNetlinkIT {
    private TestNamespaces namespaces;
    private String ns1;
    private String ns2;
    private NetlinkHandle h1;
    private NetlinkHandle h2;
    private final List<Process> processes = new ArrayList<>();

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
    void removeThem() throws InterruptedException {
        for (Process p : processes) {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        try {
            closeQuietly(h1);
            closeQuietly(h2);
        } finally {
            namespaces.close();
        }
    }

    private Set<String> names(Netlink h) {
        return h.linkList().stream().map(Link::name).collect(Collectors.toSet());
    }

    /** A process living in ns2, for moves and handles by PID. */
    private long sleeperIn(String ns) throws Exception {
        Process p = new ProcessBuilder("ip", "netns", "exec", ns, "sleep", "60").start();
        processes.add(p);
        Path mine = Path.of("/proc", Long.toString(p.pid()), "ns", "net");
        Path theirs = Path.of("/var/run/netns", ns);
        for (int i = 0; i < 100; i++) { // ip netns exec enters the namespace, then execs sleep
            if (Files.exists(mine) && Files.readSymbolicLink(mine).equals(nsId(theirs))) {
                return p.pid();
            }
            Thread.sleep(20);
        }
        throw new IllegalStateException("the sleeper never entered " + ns);
    }

    private static Path nsId(Path nsFile) throws Exception {
        // a bind-mounted namespace file has the inode its /proc link names: net:[INODE]
        Object ino = Files.getAttribute(nsFile, "unix:ino");
        return Path.of("net:[" + ino + "]");
    }

    @Test
    void handles_seeOnlyTheirOwnNamespace() {
        h1.linkAdd(Bridge.named("only1"));
        assertTrue(names(h1).contains("only1"));
        assertFalse(names(h2).contains("only1"));
        try (NetlinkHandle host = NetlinkHandle.open()) {
            assertFalse(names(host).contains("only1"));
        }
    }

    @Test
    void openingInAnotherNamespace_leavesTheCallingThreadWhereItWas() throws Exception {
        Path self = Path.of("/proc/thread-self/ns/net");
        Path before = Files.readSymbolicLink(self);
        try (NetlinkHandle h = NetlinkHandle.open(Netns.named(ns1))) {
            assertNotNull(h.linkByName("lo"));
        }
        assertEquals(before, Files.readSymbolicLink(self));
    }

    @Test
    void linkSetNs_movesByPathPidAndDescriptor() throws Exception {
        h1.linkAdd(Veth.pair("a1", "a2"));
        h1.linkAdd(Veth.pair("b1", "b2"));
        h1.linkAdd(Veth.pair("c1", "c2"));
        h1.linkSetNs("a2", Netns.named(ns2));
        h1.linkSetNs("b2", Netns.pid((int) sleeperIn(ns2)));
        int fd = LibC.openNamespace(Path.of("/var/run/netns", ns2), "test");
        try {
            h1.linkSetNs("c2", Netns.fd(fd));
        } finally {
            LibC.close(fd);
        }
        assertEquals(Set.of("lo", "a2", "b2", "c2"), names(h2));
        assertEquals(Set.of("lo", "a1", "b1", "c1"), names(h1));
        Veth a2 = (Veth) h2.linkByName("a2");
        assertEquals(h1.linkByName("a1").index(), a2.peer().index());
        assertTrue(a2.attrs().linkNetnsId() >= 0);
    }

    @Test
    void openPid_isTheNamespaceOfThatProcess() throws Exception {
        h2.linkAdd(Bridge.named("seen2"));
        try (NetlinkHandle byPid = NetlinkHandle.openPid((int) sleeperIn(ns2))) {
            assertTrue(names(byPid).contains("seen2"));
        }
    }

    @Test
    void linkAdd_createsDirectlyInAnotherNamespace() {
        h1.linkAdd(new Bridge(LinkAttrs.named("made2").withNetns(Netns.named(ns2))));
        assertTrue(names(h2).contains("made2"));
        assertFalse(names(h1).contains("made2"));
    }

    @Test
    void linkList_readsAMultiPartDumpOfHundredsOfLinks() {
        int n = 300;
        for (int i = 0; i < n; i++) {
            h1.linkAdd(Bridge.named("bulk" + i));
        }
        List<Link> all = h1.linkList();
        assertEquals(n + 1, all.size());
        assertEquals(n, all.stream().filter(l -> l instanceof Bridge).count());
        for (int i = 0; i < n; i++) {
            h1.addrAdd(Address.of(h1.linkByName("bulk" + i).index(), "10.220." + (i / 200) + "." + (i % 200 + 1) + "/32"));
        }
        assertEquals(n, h1.addrList(Family.INET, 0).size());
    }

    @Test
    void oneHandle_servesManyThreadsAtOnce() throws Exception {
        h1.linkAdd(Veth.pair("va", "vb"));
        int va = h1.linkByName("va").index();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> work = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int thread = t;
                work.add(pool.submit(() -> {
                    for (int i = 0; i < 50; i++) {
                        h1.neighAdd(Neigh.of(va, Inet.parse("10.230." + thread + "." + (i + 1)),
                                new MacAddress(0x0200_0000_0000L + thread * 256L + i)));
                        assertEquals("va", h1.linkByName("va").name());
                        assertFalse(h1.linkList().isEmpty());
                    }
                    return null;
                }));
            }
            for (Future<?> f : work) {
                f.get(120, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        long mine = h1.neighList(Family.INET, va).stream()
                .filter(n -> n.ip().getHostAddress().startsWith("10.230.")).count();
        assertEquals(400, mine);
    }

    @Test
    void kernelErrorText_travelsInTheException() {
        h1.linkAdd(Vxlan.of("vx42", 42));
        NetlinkException e = assertThrows(NetlinkException.class, () -> h1.linkAdd(Vxlan.of("vx43", 42)));
        assertEquals(Errno.EEXIST, e.errno());
        assertNotNull(e.kernelMessage(), "NETLINK_EXT_ACK should carry the kernel's text");
        assertTrue(e.getMessage().contains("VNI"), e.getMessage());
        assertTrue(e.getMessage().startsWith("ip -n " + ns1 + " link add vx43 type vxlan"), e.getMessage());
    }

    @Test
    void enslavingALinkThatCarriesAMacvlan_isBusy() {
        h1.linkAdd(Bridge.named("br0"));
        h1.linkAdd(Veth.pair("va", "vb"));
        h1.linkAdd(new GenericLink(LinkAttrs.named("mv0").withParentIndex(h1.linkByName("vb").index()), "macvlan"));
        assertEquals("macvlan", h1.linkByName("mv0").kind());
        NetlinkException e = assertThrows(NetlinkException.class, () -> h1.linkSetMaster("vb", "br0"));
        assertEquals(NetlinkException.Kind.BUSY, e.kind(), e.getMessage());
    }

    @Test
    void unknownLinkKind_isNotSupported() {
        NetlinkException e = assertThrows(NetlinkException.class,
                () -> h1.linkAdd(new GenericLink(LinkAttrs.named("x0"), "no-such-kind")));
        assertEquals(NetlinkException.Kind.NOT_SUPPORTED, e.kind(), e.getMessage());
    }

    @Test
    void dummy_isCreatedWhereTheKernelHasIt() {
        try {
            h1.linkAdd(Dummy.named("d0"));
        } catch (NetlinkException e) {
            assumeTrue(e.kind() != NetlinkException.Kind.NOT_SUPPORTED,
                    "this kernel was built without CONFIG_DUMMY: " + e.getMessage());
            throw e;
        }
        assertTrue(h1.linkByName("d0") instanceof Dummy);
    }

    @Test
    void listsOfEveryFamily_skipWhatIsNotModelled() {
        h1.linkAdd(new Bridge(LinkAttrs.named("br0").withUp(true)));
        int br = h1.linkByName("br0").index();
        h1.addrAdd(Address.of(br, "10.241.0.1/24"));
        h1.addrAdd(Address.of(br, "fd00:241::1/64").withFlags(Address.F_NODAD));
        List<Route> all = h1.routeList(Family.ALL, Route.TABLE_UNSPEC);
        assertTrue(all.stream().anyMatch(r -> r.family() == Family.INET && r.table() == Route.TABLE_LOCAL));
        assertTrue(all.stream().anyMatch(r -> r.family() == Family.INET6));
        assertEquals(Set.of(Family.INET, Family.INET6),
                h1.addrList(Family.ALL, br).stream().map(Address::family).collect(Collectors.toSet()));
        assertFalse(h1.neighList(Family.ALL, 0).stream().anyMatch(n -> n.family() == Family.BRIDGE));
    }

    @Test
    void openingAMissingNamespace_failsNamingTheFile() {
        NetlinkException e = assertThrows(NetlinkException.class,
                () -> NetlinkHandle.open(Netns.named("berth-nltest-absent")));
        assertEquals(Errno.ENOENT, e.errno(), e.getMessage());
        assertTrue(e.getMessage().contains("/var/run/netns/berth-nltest-absent"), e.getMessage());
    }

    @Test
    void openingAFileThatIsNoNetworkNamespace_isInvalid() {
        NetlinkException e = assertThrows(NetlinkException.class,
                () -> NetlinkHandle.open(Path.of("/proc/self/ns/uts")));
        assertEquals(Errno.EINVAL, e.errno(), e.getMessage());
        assertTrue(e.getMessage().contains("setns"), e.getMessage());
    }

    @Test
    void moving_aLinkOutDropsItsAddressesAndTakesItDown() {
        h1.linkAdd(Veth.pair("va", "vb"));
        h1.addrAdd(Address.of(h1.linkByName("vb").index(), "10.240.0.2/24"));
        h1.linkSetUp("vb");
        h1.linkSetNs("vb", Netns.named(ns2));
        Link moved = h2.linkByName("vb");
        assertFalse(moved.attrs().up());
        assertTrue(h2.addrList(Family.INET, moved.index()).isEmpty());
    }

    private static void closeQuietly(NetlinkHandle h) {
        if (h != null) {
            h.close();
        }
    }
}
