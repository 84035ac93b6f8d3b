package dev.berth.wireguard;

import dev.berth.netlink.GenericNetlink;
import dev.berth.netlink.GenlAttributes;
import dev.berth.netlink.GenlFamily;
import dev.berth.netlink.GenlRequest;
import dev.berth.netlink.NetlinkException;
import dev.berth.netlink.Netns;
import java.util.List;

/**
 * The kernel module's control: generic netlink family {@code "wireguard"} ({@code WG_CMD_SET_DEVICE},
 * {@code WG_CMD_GET_DEVICE} as a dump), what wg(8) speaks to a kernel device. One handle per network namespace (the
 * device names it is given are looked up there). The encoding, the splitting of large sets and the merging of dumps
 * are in {@link WgNetlinkCodec}.
 */
public final class GenlControl implements WireGuardControl {
    /** Sends one request, returns the reply's data messages: {@link GenericNetlink#execute}, or a script in tests. */
    interface Exchange {
        List<GenlAttributes> execute(GenlRequest request, String op);
    }

    private final GenlFamily family;
    private final Exchange exchange;
    private final AutoCloseable resource;
    private final int budget;

    GenlControl(GenlFamily family, Exchange exchange, AutoCloseable resource, int budget) {
        this.family = family;
        this.exchange = exchange;
        this.resource = resource;
        this.budget = budget;
    }

    /** On the calling thread's network namespace (the host's, for the driver). */
    public static GenlControl open() {
        return of(GenericNetlink.open());
    }

    /** On another namespace. */
    public static GenlControl open(Netns ns) {
        return of(GenericNetlink.open(ns));
    }

    private static GenlControl of(GenericNetlink genl) {
        try {
            GenlFamily f = genl.family(WgNetlinkCodec.FAMILY);
            return new GenlControl(f, (r, op) -> genl.execute(r, f, op), genl, WgNetlinkCodec.DEFAULT_BUDGET);
        } catch (NetlinkException e) {
            genl.close();
            if (e.isNotFound()) {
                throw new WireGuardException(WireGuardException.Kind.NOT_SUPPORTED, e.errno(),
                        "genl ctrl get name wireguard", "this kernel has no WireGuard module", e);
            }
            throw WireGuardException.ofNetlink(e, "genl ctrl get name wireguard");
        }
    }

    /** The family as the kernel resolved it. */
    public GenlFamily family() {
        return family;
    }

    @Override
    public void configure(String iface, DeviceConfig changes) {
        String op = "wg set " + iface;
        List<GenlRequest> messages = WgNetlinkCodec.set(family, iface, changes, budget);
        for (int i = 0; i < messages.size(); i++) {
            String part = messages.size() == 1 ? op : op + " (message " + (i + 1) + " of " + messages.size() + ")";
            try {
                exchange.execute(messages.get(i), part);
            } catch (NetlinkException e) {
                throw WireGuardException.ofNetlink(e, part);
            }
        }
    }

    @Override
    public DeviceState read(String iface) {
        String op = "wg show " + iface;
        try {
            return WgNetlinkCodec.parseDump(exchange.execute(WgNetlinkCodec.get(family, iface), op), iface);
        } catch (NetlinkException e) {
            throw WireGuardException.ofNetlink(e, op);
        }
    }

    @Override
    public Backend backend() {
        return Backend.KERNEL;
    }

    @Override
    public void close() {
        try {
            resource.close();
        } catch (Exception e) {
            throw new IllegalStateException("closing generic netlink: " + e.getMessage(), e);
        }
    }
}
