package dev.berth.wireguard;

import java.util.ArrayList;
import java.util.List;

/**
 * Replacing a host's key pair while its tunnels carry traffic.
 *
 * <p>WireGuard names a peer by its public key, and each allowed IP belongs to exactly one peer: a peer cannot hold the
 * old and the new key at once, and adding the rotating host's addresses to a second peer entry moves them away from
 * the first. So the peers cannot simply "add the new key with the same allowed IPs" first. The procedure, for a host
 * A rotating from key {@code old} to key {@code new}, with peers B:
 * <ol>
 *   <li><b>announce</b> (on every B): add peer {@code new} with the endpoint, keepalive and preshared key B has for
 *       {@code old}, and <em>no</em> allowed IPs. Traffic still flows through {@code old}; B can now answer a handshake
 *       from A's new key.</li>
 *   <li><b>switch</b> (on A): set A's private key to {@code new}. A keeps decrypting with its current sessions, but
 *       stops sending on them; its next packet to each peer starts a handshake with the new key, and the packets
 *       meanwhile wait in the peer's queue instead of being dropped.</li>
 *   <li><b>commit</b> (on every B): move the allowed IPs to {@code new} ({@code replace_allowed_ips}) and remove
 *       {@code old}, in one request. B's packets to A now go through {@code new}; their handshake succeeds because A
 *       already holds the new key.</li>
 * </ol>
 * What can be lost is what A sends between 2 and 3: it arrives at B on {@code new}, whose allowed IPs do not yet
 * include A's source addresses, and B drops it. With the three steps issued back to back (one controller, as in
 * {@link #rotate}) the gap is a few milliseconds: a 50 Hz ping stream lost nothing in our runs (README). Across hosts
 * the gap is how long B takes to learn that A switched; B may also commit as soon as it sees a handshake on
 * {@code new} ({@link PeerState#lastHandshake()}).
 *
 * <p>The other order (commit before switch) was measured worse: B then sends to a key A does not hold yet, its
 * handshake fails and is retried only after WireGuard's 5 s rekey timeout unless A happens to send first.
 *
 * <p>Store the new private key ({@link KeyStore#store}) before step 2, so that a restart configures the device with the
 * key the peers are moving to.
 */
public final class KeyRotation {
    private KeyRotation() {
    }

    /** Step 1, on a peer B of the rotating host: B's current entry for the old key and the new public key. */
    public static DeviceConfig announce(PeerState current, PublicKey next) {
        PeerConfig p = PeerConfig.of(next).withPersistentKeepalive(current.persistentKeepalive());
        if (current.endpoint() != null) {
            p = p.withEndpoint(current.endpoint());
        }
        if (!current.presharedKey().isNone()) {
            p = p.withPresharedKey(current.presharedKey());
        }
        return DeviceConfig.unchanged().withPeer(p);
    }

    /** Step 2, on the rotating host. */
    public static DeviceConfig switchKey(PrivateKey next) {
        return DeviceConfig.unchanged().withPrivateKey(next);
    }

    /** Step 3, on a peer B: the allowed IPs move to the new key and the old key goes, in one request. */
    public static DeviceConfig commit(PeerState current, PublicKey next) {
        return DeviceConfig.unchanged()
                .withPeer(PeerConfig.of(next).withReplaceAllowedIps(true)
                        .withAllowedIps(current.allowedIps()))
                .withPeer(PeerConfig.removal(current.publicKey()));
    }

    /** A device that has the rotating host as a peer. */
    public record Remote(WireGuardControl control, String iface) {
    }

    /**
     * All three steps, for a caller that controls the rotating device and every device that peers with it. On a
     * failure in step 1 or 2, the peers' announced entries are removed again and the exception says whether that
     * worked; a failure in step 3 (the new key is then in use) is reported after trying every peer, naming those
     * still to commit.
     */
    public static void rotate(WireGuardControl local, String iface, KeyPair next, List<Remote> peers) {
        DeviceState self = local.read(iface);
        if (self.publicKey() == null) {
            throw new WireGuardException(WireGuardException.Kind.INVALID, 0, "rotate key of " + iface,
                    "the device has no key yet: configure one instead of rotating");
        }
        PublicKey old = self.publicKey();
        List<Remote> announced = new ArrayList<>();
        List<PeerState> entries = new ArrayList<>();
        try {
            for (Remote r : peers) {
                PeerState p = r.control().read(r.iface()).peer(old).orElseThrow(() -> new WireGuardException(
                        WireGuardException.Kind.NOT_FOUND, 0, "rotate key of " + iface, r.iface()
                        + " has no peer " + old));
                r.control().configure(r.iface(), announce(p, next.publicKey()));
                announced.add(r);
                entries.add(p);
            }
            local.configure(iface, switchKey(next.privateKey()));
        } catch (RuntimeException e) {
            List<String> notUndone = new ArrayList<>();
            for (Remote r : announced) {
                try {
                    r.control().configure(r.iface(),
                            DeviceConfig.unchanged().withPeer(PeerConfig.removal(next.publicKey())));
                } catch (RuntimeException undo) {
                    notUndone.add(r.iface() + " (" + undo.getMessage() + ")");
                }
            }
            e.addSuppressed(new IllegalStateException(notUndone.isEmpty()
                    ? "rolled back: the new key was withdrawn from " + announced.size() + " peer device(s)"
                    : "rollback incomplete: the new key is still a peer on " + notUndone));
            throw e;
        }
        List<String> failed = new ArrayList<>();
        RuntimeException first = null;
        for (int i = 0; i < announced.size(); i++) {
            Remote r = announced.get(i);
            try {
                r.control().configure(r.iface(), commit(entries.get(i), next.publicKey()));
            } catch (RuntimeException e) {
                failed.add(r.iface());
                first = first == null ? e : first;
            }
        }
        if (first != null) {
            throw new WireGuardException(WireGuardException.Kind.IO, 0, "rotate key of " + iface,
                    "the new key is in use, but these peer devices did not commit it (run commit again): " + failed,
                    first);
        }
    }
}
