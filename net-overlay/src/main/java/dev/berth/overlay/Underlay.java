package dev.berth.overlay;

import dev.berth.netlink.Address;
import dev.berth.netlink.Family;
import dev.berth.netlink.Link;
import dev.berth.netlink.Netlink;
import dev.berth.netlink.Route;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.Optional;

/**
 * Where this host's tunnels start: the underlay device, its IPv4 address (the VTEP peers send to) and its MTU. Given
 * by {@code BERTH_OVERLAY_UNDERLAY} as a device name or an address; else the device of the default route; else the
 * first up device that is not a bridge, veth or tunnel of Docker's or ours.
 */
public record Underlay(int index, String device, InetAddress address, int mtu) {

    public static Underlay find(Netlink nl, String wanted) {
        if (wanted != null && !wanted.isBlank()) {
            for (Link l : nl.linkList()) {
                Optional<InetAddress> a = ipv4(nl, l.index());
                if (l.attrs().name().equals(wanted) || a.map(x -> x.getHostAddress().equals(wanted)).orElse(false)) {
                    return new Underlay(l.index(), l.attrs().name(), a.orElseThrow(() -> new IllegalArgumentException(
                            "underlay device " + wanted + " has no IPv4 address")), l.attrs().mtu());
                }
            }
            throw new IllegalArgumentException("BERTH_OVERLAY_UNDERLAY: no device or address " + wanted + " here");
        }
        for (Route r : nl.routeList(Family.INET, Route.TABLE_MAIN)) {
            if ((r.dst() == null || r.dst().length() == 0) && r.oif() > 0) {
                Link l = nl.linkByIndex(r.oif());
                Optional<InetAddress> a = ipv4(nl, l.index());
                if (a.isPresent()) {
                    return new Underlay(l.index(), l.attrs().name(), a.get(), l.attrs().mtu());
                }
            }
        }
        for (Link l : nl.linkList()) {
            String n = l.attrs().name();
            if (!l.attrs().up() || n.equals("lo") || n.startsWith("docker") || n.startsWith("br-") || n.startsWith("veth")
                    || n.startsWith("vx") || n.startsWith("bv") || n.startsWith("ve") || n.startsWith("vc")) {
                continue;
            }
            Optional<InetAddress> a = ipv4(nl, l.index());
            if (a.isPresent()) {
                return new Underlay(l.index(), n, a.get(), l.attrs().mtu());
            }
        }
        throw new IllegalArgumentException("no underlay found: set BERTH_OVERLAY_UNDERLAY to a device or address");
    }

    private static Optional<InetAddress> ipv4(Netlink nl, int index) {
        for (Address a : nl.addrList(Family.INET, index)) {
            if (a.prefix().address() instanceof Inet4Address && a.scope() == Address.SCOPE_UNIVERSE) {
                return Optional.of(a.prefix().address());
            }
        }
        return Optional.empty();
    }
}
