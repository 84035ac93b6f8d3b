package dev.berth.netlink;

/** A {@code dummy} link: a device that drops what it is sent. Equivalent to {@code ip link add NAME type dummy}. */
public record Dummy(LinkAttrs attrs) implements Link {
    public static Dummy named(String name) {
        return new Dummy(LinkAttrs.named(name));
    }

    @Override
    public String kind() {
        return "dummy";
    }

    @Override
    public Dummy withAttrs(LinkAttrs a) {
        return new Dummy(a);
    }
}
