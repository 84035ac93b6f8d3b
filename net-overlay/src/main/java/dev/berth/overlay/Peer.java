package dev.berth.overlay;

/**
 * A remote endpoint as this host programs it: a static FDB entry (its MAC behind the VTEP of its host) and a
 * permanent neighbour entry (its address at its MAC), so no multicast, flooding or learning is needed.
 */
public record Peer(int vni, String mac, String ipv4, String ipv6, String vtep) {
}
