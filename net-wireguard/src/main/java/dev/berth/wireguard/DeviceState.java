package dev.berth.wireguard;

import java.util.List;
import java.util.Optional;

/**
 * A WireGuard device as it reports itself ({@code wg show}): what {@link WireGuardControl#read} returns.
 *
 * @param name        the interface name
 * @param ifindex     the interface index (the kernel reports it; 0 from the UAPI)
 * @param privateKey  null when none is set
 * @param publicKey   null when no private key is set (the UAPI does not report it: it is derived)
 * @param listenPort  the UDP port it listens on (a random one until set)
 * @param fwmark      0 = none
 * @param peers       in the device's order
 */
public record DeviceState(String name, int ifindex, PrivateKey privateKey, PublicKey publicKey, int listenPort,
                          int fwmark, List<PeerState> peers) {
    public DeviceState {
        peers = peers == null ? List.of() : List.copyOf(peers);
    }

    public Optional<PeerState> peer(PublicKey key) {
        return peers.stream().filter(p -> p.publicKey().equals(key)).findFirst();
    }
}
