package dev.berth.netlink;

/**
 * A virtual Ethernet pair: what enters one end leaves the other.
 *
 * <p>To create: {@code Veth.pair("veth0", "ceth0")}, optionally {@link #withPeerNetns} to create the peer directly in
 * another namespace. Equivalent to {@code ip link add veth0 type veth peer name ceth0 netns NS}.
 *
 * <p>Read from the kernel, {@code peer().index()} is the peer's index ({@code IFLA_LINK}), and its name is filled in
 * when the peer is in the same namespace; {@code attrs().linkNetnsId()} is set when it is not.
 *
 * @param peer the other end: its name (required to create), and optionally its MAC, MTU and namespace
 */
public record Veth(LinkAttrs attrs, LinkAttrs peer) implements Link {
    public Veth {
        if (peer == null) {
            peer = new LinkAttrs(0, null, 0, null, 0, 0, 0, -1, LinkAttrs.OperState.UNKNOWN, null);
        }
    }

    public static Veth pair(String name, String peerName) {
        return new Veth(LinkAttrs.named(name), LinkAttrs.named(peerName));
    }

    public String peerName() {
        return peer.name();
    }

    /** Creates the peer directly in {@code ns}. */
    public Veth withPeerNetns(Netns ns) {
        return new Veth(attrs, peer.withNetns(ns));
    }

    public Veth withPeer(LinkAttrs p) {
        return new Veth(attrs, p);
    }

    @Override
    public String kind() {
        return "veth";
    }

    @Override
    public Veth withAttrs(LinkAttrs a) {
        return new Veth(a, peer);
    }
}
