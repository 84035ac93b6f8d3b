package dev.berth.netlink;

/**
 * A {@code macvlan} link on a lower device ({@link LinkAttrs#parentIndex()}). Equivalent to
 * {@code ip link add link LOWER NAME type macvlan mode bridge}. In bridge mode the macvlans of one lower device reach
 * each other directly, and everything else leaves by the lower device; no Linux bridge (and so no bridge netfilter)
 * is involved.
 */
public record Macvlan(LinkAttrs attrs, Mode mode) implements Link {
    /** {@code IFLA_MACVLAN_MODE} values. */
    public enum Mode {
        PRIVATE(1), VEPA(2), BRIDGE(4), PASSTHRU(8), SOURCE(16);

        final int value;

        Mode(int value) {
            this.value = value;
        }

        static Mode of(int value) {
            for (Mode m : values()) {
                if (m.value == value) {
                    return m;
                }
            }
            return VEPA; // the kernel's default
        }
    }

    /** A bridge-mode macvlan named {@code name} on the device with index {@code lowerIndex}. */
    public static Macvlan bridge(String name, int lowerIndex) {
        return new Macvlan(LinkAttrs.named(name).withParentIndex(lowerIndex), Mode.BRIDGE);
    }

    @Override
    public String kind() {
        return "macvlan";
    }

    @Override
    public Macvlan withAttrs(LinkAttrs a) {
        return new Macvlan(a, mode);
    }
}
