package dev.berth.wireguard;

import dev.berth.netlink.IpPrefix;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * One peer as the device reports it ({@code wg show}).
 *
 * @param publicKey           the peer's identity
 * @param presharedKey        {@link PresharedKey#NONE} when there is none
 * @param endpoint            the configured endpoint or the one the peer last roamed to; null when unknown
 * @param persistentKeepalive seconds, 0 = off
 * @param lastHandshake       when the last handshake completed; null when there has been none
 * @param rxBytes             bytes received from this peer
 * @param txBytes             bytes sent to this peer
 * @param allowedIps          in the device's order
 * @param protocolVersion     1 for every WireGuard so far (0 when the device did not say)
 */
public record PeerState(PublicKey publicKey, PresharedKey presharedKey, InetSocketAddress endpoint,
                        int persistentKeepalive, Instant lastHandshake, long rxBytes, long txBytes,
                        List<IpPrefix> allowedIps, int protocolVersion) {
    public PeerState {
        if (publicKey == null) {
            throw new IllegalArgumentException("a peer is named by its public key");
        }
        presharedKey = presharedKey == null ? PresharedKey.NONE : presharedKey;
        allowedIps = allowedIps == null ? List.of() : List.copyOf(allowedIps);
    }

    public Optional<Instant> handshake() {
        return Optional.ofNullable(lastHandshake);
    }

    /** The same peer with more allowed IPs (a kernel dump continues a peer's list in the next message). */
    PeerState withMoreAllowedIps(List<IpPrefix> more) {
        List<IpPrefix> all = new java.util.ArrayList<>(allowedIps);
        all.addAll(more);
        return new PeerState(publicKey, presharedKey, endpoint, persistentKeepalive, lastHandshake, rxBytes, txBytes,
                all, protocolVersion);
    }
}
