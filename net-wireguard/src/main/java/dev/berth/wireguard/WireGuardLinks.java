package dev.berth.wireguard;

/**
 * Creates and deletes WireGuard devices in one network namespace: {@link KernelLinks} (a link of kind
 * {@code wireguard} over rtnetlink) or {@link UserspaceLinks} (a wireguard-go process on a TUN device). A new device
 * is down, has no address and no key: configure it with {@link WireGuardControl}, then bring it up and address it with
 * the netlink library, as for any link.
 *
 * <p>Names are the caller's: on one machine the userspace sockets of every namespace share one directory, so names
 * must be unique across all lab hosts there, not only within one namespace.
 */
public interface WireGuardLinks {
    /**
     * Creates device {@code iface} and returns once it can be configured; {@link WireGuardException.Kind#EXISTS} if
     * it is there already. Equivalent to: {@code ip link add IFACE type wireguard}, or {@code wireguard-go IFACE}.
     */
    void create(String iface);

    /** Deletes device {@code iface}; false if there was none. Equivalent to: {@code ip link del IFACE}. */
    boolean delete(String iface);

    /** True when device {@code iface} exists (for userspace: its daemon answers). */
    boolean exists(String iface);

    Backend backend();
}
