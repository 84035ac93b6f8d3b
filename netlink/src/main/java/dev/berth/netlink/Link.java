package dev.berth.netlink;

/**
 * A network interface: its common {@link LinkAttrs} and what its kind ({@code IFLA_INFO_KIND}) adds. {@link Veth},
 * {@link Bridge}, {@link Vxlan} and {@link Dummy} are typed; anything else reads as a {@link GenericLink} (a physical
 * NIC, loopback, or a kind this library does not model yet).
 */
public sealed interface Link permits Veth, Bridge, Vxlan, Dummy, Macvlan, GenericLink {
    LinkAttrs attrs();

    /** {@code IFLA_INFO_KIND}: {@code "veth"}, {@code "bridge"}, ...; empty for a link without one (loopback, NICs). */
    String kind();

    /** The same link with other common attributes. */
    Link withAttrs(LinkAttrs attrs);

    default String name() {
        return attrs().name();
    }

    default int index() {
        return attrs().index();
    }
}
