package dev.berth.overlay;

import dev.berth.netlink.Bridge;
import dev.berth.netlink.Family;
import dev.berth.netlink.LinkAttrs;
import dev.berth.netlink.MacAddress;
import dev.berth.netlink.Neigh;
import dev.berth.netlink.Netlink;
import dev.berth.netlink.NetlinkException;
import dev.berth.netlink.Veth;
import dev.berth.netlink.Vxlan;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * One overlay network in this host's kernel, in the host's own network namespace:
 * <pre>
 * bv&lt;vni&gt;  a bridge, with no address (the host itself is not on the overlay: networks may overlap, and nothing
 *            routes between them or to the host)
 * vx&lt;vni&gt;  a VXLAN device enslaved to it: local = the underlay address, port 4789, learning off, ARP proxy on
 * ve&lt;id&gt;   host end of each local endpoint's veth pair, enslaved; Docker moves the other end (vc&lt;id&gt;) into
 *            the container
 * </pre>
 * Every remote endpoint is a static FDB entry on the VXLAN device (its MAC behind its host's VTEP) and a permanent
 * neighbour entry (its address at its MAC), which the VXLAN device's proxy answers ARP from: no multicast, no
 * flooding, no learning. Why the host namespace and not one per network: with no address on the bridge the host
 * stays off the overlay anyway, and Docker's outside access (its gateway bridge) needs no routing here; one namespace
 * less to create, find after a restart and clean up. Every operation is idempotent, so a restarted plugin can apply
 * its whole view again without disturbing traffic.
 */
public final class KernelDataplane implements Dataplane {
    public static final int VXLAN_OVERHEAD = 50;

    private final Netlink nl;
    private final int vni;
    private final InetAddress underlay;
    private final int underlayIndex;
    private final int mtu;
    /** The VXLAN device's index once looked up (0: not yet); see {@link #onVxlan}. */
    private volatile int vxIndex;

    /**
     * @param underlayIndex the device tunnelled traffic leaves by (0: by route)
     * @param mtu           the overlay's MTU (the underlay's minus {@link #VXLAN_OVERHEAD}, unless the user set one)
     */
    public KernelDataplane(Netlink nl, int vni, InetAddress underlay, int underlayIndex, int mtu) {
        this.nl = nl;
        this.vni = vni;
        this.underlay = underlay;
        this.underlayIndex = underlayIndex;
        this.mtu = mtu;
    }

    public String bridgeName() {
        return "bv" + vni;
    }

    public String vxlanName() {
        return "vx" + vni;
    }

    /** Creates the bridge and the VXLAN device if missing and brings them up. */
    public void ensureNetwork() {
        if (nl.linkFind(bridgeName()).isEmpty()) {
            nl.linkAdd(Bridge.named(bridgeName()).withAttrs(LinkAttrs.named(bridgeName()).withMtu(mtu)));
        }
        if (nl.linkFind(vxlanName()).isEmpty()) {
            Vxlan vx = Vxlan.of(vxlanName(), vni).withLocal(underlay).withLearning(false).withProxy(true)
                    .withUnderlayIndex(underlayIndex).withAttrs(LinkAttrs.named(vxlanName()).withMtu(mtu));
            nl.linkAdd(vx);
        }
        nl.linkSetMaster(vxlanName(), bridgeName());
        nl.linkSetUp(vxlanName());
        nl.linkSetUp(bridgeName());
    }

    /** Removes the network's devices (their FDB and neighbour entries go with them). */
    public void deleteNetwork() {
        vxIndex = 0;
        for (String name : new String[] {vxlanName(), bridgeName()}) {
            try {
                nl.linkDel(name);
            } catch (NetlinkException e) {
                if (e.kind() != NetlinkException.Kind.NOT_FOUND) {
                    throw e;
                }
            }
        }
    }

    /** The two ends of a local endpoint's veth pair: the host end (enslaved) and the one Docker moves. */
    public record EndpointDevices(String hostSide, String containerSide) {
    }

    public static EndpointDevices devicesOf(String endpointId) {
        String id = endpointId.length() > 11 ? endpointId.substring(0, 11) : endpointId;
        return new EndpointDevices("ve" + id, "vc" + id);
    }

    /** Creates a local endpoint's veth pair with the endpoint's MAC on the container side, enslaves the host side. */
    public EndpointDevices createEndpoint(String endpointId, MacAddress mac) {
        EndpointDevices d = devicesOf(endpointId);
        if (nl.linkFind(d.hostSide()).isEmpty()) {
            nl.linkAdd(Veth.pair(d.hostSide(), d.containerSide())
                    .withAttrs(LinkAttrs.named(d.hostSide()).withMtu(mtu))
                    .withPeer(LinkAttrs.named(d.containerSide()).withMtu(mtu).withMac(mac)));
        }
        nl.linkSetMaster(d.hostSide(), bridgeName());
        nl.linkSetUp(d.hostSide());
        return d;
    }

    /** Puts a local endpoint's existing host-side device on this network's bridge (after the VNI changed). */
    public void adoptEndpoint(String endpointId) {
        String hostSide = devicesOf(endpointId).hostSide();
        if (nl.linkFind(hostSide).isPresent()) {
            nl.linkSetMaster(hostSide, bridgeName());
            nl.linkSetUp(hostSide);
        }
    }

    /** Removes a local endpoint's veth pair (deleting one end removes both). */
    public void deleteEndpoint(String endpointId) {
        try {
            nl.linkDel(devicesOf(endpointId).hostSide());
        } catch (NetlinkException e) {
            if (e.kind() != NetlinkException.Kind.NOT_FOUND) {
                throw e;
            }
        }
    }

    @Override
    public void addPeer(Peer peer) {
        MacAddress mac = MacAddress.parse(peer.mac());
        onVxlan(vx -> {
            nl.neighReplace(Neigh.fdb(vx, mac).withDst(address(peer.vtep())));
            if (peer.ipv4() != null) {
                nl.neighReplace(Neigh.of(vx, address(peer.ipv4()), mac));
            }
            if (peer.ipv6() != null) {
                nl.neighReplace(Neigh.of(vx, address(peer.ipv6()), mac));
            }
        });
    }

    /**
     * Runs {@code entries} with the VXLAN device's index, looked up once and kept (a netlink round trip per peer
     * was half the cost of programming a burst); looked up again when the kernel says the index is gone (the device
     * was made anew).
     */
    private void onVxlan(java.util.function.IntConsumer entries) {
        int vx = vxIndex;
        if (vx == 0) {
            vx = nl.linkByName(vxlanName()).attrs().index();
            vxIndex = vx;
        }
        try {
            entries.accept(vx);
        } catch (NetlinkException e) {
            if (e.kind() != NetlinkException.Kind.NOT_FOUND) {
                throw e;
            }
            vxIndex = nl.linkByName(vxlanName()).attrs().index();
            entries.accept(vxIndex);
        }
    }

    @Override
    public void removePeer(Peer peer) {
        int vx = vxIndex != 0 ? vxIndex : nl.linkFind(vxlanName()).map(l -> l.attrs().index()).orElse(0);
        if (vx == 0) {
            return;
        }
        MacAddress mac = MacAddress.parse(peer.mac());
        quietly(() -> nl.neighDel(Neigh.fdb(vx, mac).withDst(address(peer.vtep()))));
        if (peer.ipv4() != null) {
            quietly(() -> nl.neighDel(Neigh.of(vx, address(peer.ipv4()), mac)));
        }
        if (peer.ipv6() != null) {
            quietly(() -> nl.neighDel(Neigh.of(vx, address(peer.ipv6()), mac)));
        }
    }

    /** The remote endpoints the kernel already has (after a plugin restart), to adopt instead of reprogramming. */
    public java.util.List<Peer> programmedPeers() {
        int vx = nl.linkFind(vxlanName()).map(l -> l.attrs().index()).orElse(0);
        if (vx == 0) {
            return java.util.List.of();
        }
        java.util.Map<MacAddress, String> vteps = new java.util.HashMap<>();
        for (Neigh n : nl.neighList(Family.BRIDGE, vx)) {
            if (n.ip() != null && n.mac() != null && !n.mac().equals(MacAddress.ZERO)) {
                vteps.put(n.mac(), n.ip().getHostAddress());
            }
        }
        java.util.Map<MacAddress, String[]> ips = new java.util.HashMap<>();
        for (Family f : new Family[] {Family.INET, Family.INET6}) {
            for (Neigh n : nl.neighList(f, vx)) {
                if (n.mac() != null && (n.state() & Neigh.NUD_PERMANENT) != 0) {
                    String[] pair = ips.computeIfAbsent(n.mac(), k -> new String[2]);
                    pair[f == Family.INET ? 0 : 1] = n.ip().getHostAddress();
                }
            }
        }
        java.util.List<Peer> out = new java.util.ArrayList<>();
        vteps.forEach((mac, vtep) -> {
            String[] pair = ips.getOrDefault(mac, new String[2]);
            out.add(new Peer(vni, mac.toString(), pair[0], pair[1], vtep));
        });
        return out;
    }

    private static void quietly(Runnable r) {
        try {
            r.run();
        } catch (NetlinkException e) {
            if (e.kind() != NetlinkException.Kind.NOT_FOUND) {
                throw e;
            }
        }
    }

    private static InetAddress address(String text) {
        try {
            return InetAddress.getByName(text);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not an address: " + text, e);
        }
    }
}
