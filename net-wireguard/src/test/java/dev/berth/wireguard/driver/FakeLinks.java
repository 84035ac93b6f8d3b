package dev.berth.wireguard.driver;

import dev.berth.netlink.Dummy;
import dev.berth.netlink.FakeNetlink;
import dev.berth.wireguard.Backend;
import dev.berth.wireguard.FakeWireGuard;
import dev.berth.wireguard.WireGuardLinks;

/** WireGuard devices made in a {@link FakeWireGuard} and, as a dummy link of the same name, in a {@link FakeNetlink}. */
final class FakeLinks implements WireGuardLinks {
    private final FakeNetlink nl;
    private final FakeWireGuard wg;

    FakeLinks(FakeNetlink nl, FakeWireGuard wg) {
        this.nl = nl;
        this.wg = wg;
    }

    @Override
    public void create(String iface) {
        nl.linkAdd(Dummy.named(iface));
        wg.add(iface);
    }

    @Override
    public boolean delete(String iface) {
        if (nl.linkFind(iface).isPresent()) {
            nl.linkDel(iface);
        }
        return wg.remove(iface);
    }

    @Override
    public boolean exists(String iface) {
        return wg.has(iface);
    }

    @Override
    public Backend backend() {
        return Backend.USERSPACE;
    }
}
