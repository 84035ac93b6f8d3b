package dev.berth.overlay;

/**
 * The kernel side of one host's overlay: what the control plane asks of it. The kernel implementation sits on the
 * netlink module; a recording fake drives the control plane's tests.
 */
public interface Dataplane {
    /** Programs a remote endpoint (FDB + neighbour); idempotent (replace semantics). */
    void addPeer(Peer peer);

    /** Removes a remote endpoint's entries; absent entries are fine. */
    void removePeer(Peer peer);
}
