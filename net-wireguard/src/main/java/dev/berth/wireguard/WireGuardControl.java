package dev.berth.wireguard;

/**
 * Configures and reads WireGuard devices: wg(8)'s {@code set} and {@code show}, as a Java interface the driver takes
 * in its constructor. Two implementations: {@link UapiControl} (userspace implementations, over their UAPI socket)
 * and {@link GenlControl} (the kernel module, over generic netlink). Both report failures as
 * {@link WireGuardException}. Safe for use from any thread.
 */
public interface WireGuardControl extends AutoCloseable {
    /**
     * Applies a set of changes to device {@code iface}. Equivalent to: {@code wg set IFACE ...}. Neither backend is
     * transactional: a change the device refuses part-way through leaves the earlier ones applied, as wg(8) does.
     */
    void configure(String iface, DeviceConfig changes);

    /** The device's configuration and peer statistics. Equivalent to: {@code wg show IFACE dump}. */
    DeviceState read(String iface);

    /** Which backend this is, for logs and status. */
    Backend backend();

    @Override
    default void close() {
    }
}
