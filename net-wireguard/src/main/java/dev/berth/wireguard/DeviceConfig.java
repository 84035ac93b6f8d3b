package dev.berth.wireguard;

import java.util.ArrayList;
import java.util.List;

/**
 * Changes to one WireGuard device, in WireGuard's own terms (the UAPI keys and {@code WGDEVICE_A_*} attributes),
 * applied in one {@link WireGuardControl#configure} call. A field left null is left as the device has it; peers not
 * listed are left alone unless {@code replacePeers}.
 *
 * <p>Example: {@code DeviceConfig.unchanged().withPrivateKey(keys.privateKey()).withListenPort(51820)
 * .withPeer(PeerConfig.of(pub).withAllowedIps(List.of(IpPrefix.parse("10.20.0.2/32"))))}.
 *
 * @param privateKey   {@code private_key}; null leaves it
 * @param listenPort   {@code listen_port} (0 = any free port); null leaves it
 * @param fwmark       {@code fwmark} for the device's own UDP packets (0 = none); null leaves it
 * @param replacePeers {@code replace_peers=true} / {@code WGDEVICE_F_REPLACE_PEERS}: remove every peer not in
 *                     {@code peers}
 * @param peers        changes to peers, applied in order
 */
public record DeviceConfig(PrivateKey privateKey, Integer listenPort, Integer fwmark, boolean replacePeers,
                           List<PeerConfig> peers) {
    public DeviceConfig {
        if (listenPort != null && (listenPort < 0 || listenPort > 65535)) {
            throw new IllegalArgumentException("listen port is 0-65535: " + listenPort);
        }
        peers = peers == null ? List.of() : List.copyOf(peers);
    }

    /** No change at all; add what should change with the {@code with*} methods. */
    public static DeviceConfig unchanged() {
        return new DeviceConfig(null, null, null, false, List.of());
    }

    public DeviceConfig withPrivateKey(PrivateKey v) {
        return new DeviceConfig(v, listenPort, fwmark, replacePeers, peers);
    }

    public DeviceConfig withListenPort(int v) {
        return new DeviceConfig(privateKey, v, fwmark, replacePeers, peers);
    }

    public DeviceConfig withFwmark(int v) {
        return new DeviceConfig(privateKey, listenPort, v, replacePeers, peers);
    }

    public DeviceConfig withReplacePeers(boolean v) {
        return new DeviceConfig(privateKey, listenPort, fwmark, v, peers);
    }

    public DeviceConfig withPeers(List<PeerConfig> v) {
        return new DeviceConfig(privateKey, listenPort, fwmark, replacePeers, v);
    }

    public DeviceConfig withPeer(PeerConfig p) {
        List<PeerConfig> more = new ArrayList<>(peers);
        more.add(p);
        return withPeers(more);
    }

    /** True when applying this changes nothing. */
    public boolean isEmpty() {
        return privateKey == null && listenPort == null && fwmark == null && !replacePeers && peers.isEmpty();
    }
}
