package dev.berth.wireguard;

import dev.berth.netlink.GenericLink;
import dev.berth.netlink.LinkAttrs;
import dev.berth.netlink.Netlink;
import dev.berth.netlink.NetlinkException;

/**
 * Kernel WireGuard devices: links of kind {@code wireguard}, made and deleted over rtnetlink through the given handle
 * (whose namespace they live in). Creating the first one loads the module if it is not loaded yet.
 */
public final class KernelLinks implements WireGuardLinks {
    static final String KIND = "wireguard";

    private final Netlink netlink;

    public KernelLinks(Netlink netlink) {
        this.netlink = netlink;
    }

    @Override
    public void create(String iface) {
        String op = "ip link add " + iface + " type " + KIND;
        try {
            netlink.linkAdd(new GenericLink(LinkAttrs.named(iface), KIND));
        } catch (NetlinkException e) {
            if (e.kind() == NetlinkException.Kind.NOT_SUPPORTED) {
                throw new WireGuardException(WireGuardException.Kind.NOT_SUPPORTED, e.errno(), op,
                        "this kernel has no WireGuard module (use the userspace backend)", e);
            }
            throw WireGuardException.ofNetlink(e, op);
        }
    }

    @Override
    public boolean delete(String iface) {
        if (!exists(iface)) {
            return false;
        }
        try {
            netlink.linkDel(iface);
            return true;
        } catch (NetlinkException e) {
            if (e.isNotFound()) {
                return false;
            }
            throw WireGuardException.ofNetlink(e, "ip link del " + iface);
        }
    }

    @Override
    public boolean exists(String iface) {
        return netlink.linkFind(iface).filter(l -> KIND.equals(l.kind())).isPresent();
    }

    @Override
    public Backend backend() {
        return Backend.KERNEL;
    }
}
