package dev.berth.netlink;

import org.junit.jupiter.api.Tag;

/** The contract against the in-memory fake. */
@Tag("unit")
class FakeNetlinkContractTest extends NetlinkContract {
    @Override
    protected Netlink openFreshNamespace() {
        return new FakeNetlink();
    }
}
