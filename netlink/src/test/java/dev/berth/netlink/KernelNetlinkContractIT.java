package dev.berth.netlink;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;

/** The contract against the kernel, each test in a new namespace ({@code berth-nltest-*}), deleted afterwards. */
@Tag("integration")
class KernelNetlinkContractIT extends NetlinkContract {
    private TestNamespaces namespaces;

    @BeforeAll
    static void needsRoot() {
        TestNamespaces.assumeRoot();
    }

    @Override
    protected Netlink openFreshNamespace() {
        namespaces = new TestNamespaces();
        try {
            return NetlinkHandle.open(TestNamespaces.netns(namespaces.create()));
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
