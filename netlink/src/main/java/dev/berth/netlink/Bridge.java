package dev.berth.netlink;

/** A Linux bridge. Equivalent to {@code ip link add NAME type bridge}. Ports join with {@code linkSetMaster}. */
public record Bridge(LinkAttrs attrs) implements Link {
    public static Bridge named(String name) {
        return new Bridge(LinkAttrs.named(name));
    }

    @Override
    public String kind() {
        return "bridge";
    }

    @Override
    public Bridge withAttrs(LinkAttrs a) {
        return new Bridge(a);
    }
}
