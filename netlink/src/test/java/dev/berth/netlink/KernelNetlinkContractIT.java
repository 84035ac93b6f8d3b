package dev.berth.netlink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The contract against the kernel, each test in a new namespace ({@code berth-nltest-*}), deleted afterwards. */
@Tag("integration")
class KernelNetlinkContractIT extends NetlinkContract {
    private TestNamespaces namespaces;

    @BeforeAll
    static void needsRoot() {
        TestNamespaces.assumeRoot();
    }

    private String ns;

    /** Read back through /proc, which shows it in jiffies (USER_HZ, 100 a second). */
    @Test
    void linkSetProxyArpDelay_setsTheLinksArpProxyDelay() {
        nl.linkAdd(Veth.pair("pd0", "pd1"));
        String before = TestNamespaces.run("ip", "netns", "exec", ns, "cat",
                "/proc/sys/net/ipv4/neigh/pd0/proxy_delay").output().strip();
        assertEquals("80", before, "the kernel's default (0.8 s)");
        nl.linkSetProxyArpDelay("pd0", java.time.Duration.ZERO);
        assertEquals("0", TestNamespaces.run("ip", "netns", "exec", ns, "cat",
                "/proc/sys/net/ipv4/neigh/pd0/proxy_delay").output().strip());
        assertEquals("80", TestNamespaces.run("ip", "netns", "exec", ns, "cat",
                "/proc/sys/net/ipv4/neigh/pd1/proxy_delay").output().strip(), "only that link");
        nl.linkSetProxyArpDelay("pd1", java.time.Duration.ofMillis(300));
        assertEquals("30", TestNamespaces.run("ip", "netns", "exec", ns, "cat",
                "/proc/sys/net/ipv4/neigh/pd1/proxy_delay").output().strip());
        assertThrows(NetlinkException.class, () -> nl.linkSetProxyArpDelay("nope0", java.time.Duration.ZERO));
    }

    @Override
    protected Netlink openFreshNamespace() {
        namespaces = new TestNamespaces();
        try {
            ns = namespaces.create();
            return NetlinkHandle.open(TestNamespaces.netns(ns));
        } catch (RuntimeException e) {
            namespaces.close();
            throw e;
        }
    }

    @Override
    protected void removeNamespace() {
        if (namespaces != null) {
            namespaces.close();
        }
    }
}
