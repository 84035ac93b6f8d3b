package dev.berth.wireguard;

/** Where WireGuard runs on a host. */
public enum Backend {
    /** The Linux module (5.6+), configured over generic netlink, links made over rtnetlink. */
    KERNEL,
    /** A userspace implementation (wireguard-go) on a TUN device, configured over its UAPI socket. */
    USERSPACE
}
