package dev.berth.wireguard;

import dev.berth.netlink.IpPrefix;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * Changes to one peer, in WireGuard's own terms (the UAPI keys and {@code WGPEER_A_*} attributes). A field left null
 * is left as the device has it.
 *
 * <p>Example: {@code PeerConfig.of(pub).withEndpoint(new InetSocketAddress("192.0.2.7", 51820))
 * .withAllowedIps(List.of(IpPrefix.parse("10.20.0.2/32"))).withReplaceAllowedIps(true)}.
 *
 * @param publicKey           the peer's identity; required
 * @param remove              {@code remove=true} / {@code WGPEER_F_REMOVE_ME}: delete the peer (nothing else applies)
 * @param updateOnly          {@code update_only=true} / {@code WGPEER_F_UPDATE_ONLY}: change the peer only if it
 *                            exists; never create it
 * @param presharedKey        {@code preshared_key}; {@link PresharedKey#NONE} clears it; null leaves it
 * @param endpoint            {@code endpoint}: a resolved address and port; null leaves it
 * @param persistentKeepalive {@code persistent_keepalive_interval} in seconds, 0 = off; null leaves it
 * @param replaceAllowedIps   {@code replace_allowed_ips=true} / {@code WGPEER_F_REPLACE_ALLOWEDIPS}: drop the peer's
 *                            allowed IPs before adding {@code allowedIps}
 * @param allowedIps          {@code allowed_ip}: prefixes to add (host bits are cleared, as the device does). An
 *                            allowed IP belongs to one peer: adding it here moves it from any other peer
 */
public record PeerConfig(PublicKey publicKey, boolean remove, boolean updateOnly, PresharedKey presharedKey,
                         InetSocketAddress endpoint, Integer persistentKeepalive, boolean replaceAllowedIps,
                         List<IpPrefix> allowedIps) {
    public PeerConfig {
        if (publicKey == null) {
            throw new IllegalArgumentException("a peer is named by its public key");
        }
        if (endpoint != null && endpoint.isUnresolved()) {
            throw new IllegalArgumentException("a peer endpoint must be an address, not a name: " + endpoint);
        }
        if (endpoint != null && endpoint.getPort() == 0) {
            throw new IllegalArgumentException("a peer endpoint needs a port: " + endpoint);
        }
        if (persistentKeepalive != null && (persistentKeepalive < 0 || persistentKeepalive > 65535)) {
            throw new IllegalArgumentException("persistent keepalive is 0-65535 seconds: " + persistentKeepalive);
        }
        List<IpPrefix> ips = new ArrayList<>();
        for (IpPrefix p : allowedIps == null ? List.<IpPrefix>of() : allowedIps) {
            ips.add(p.network());
        }
        allowedIps = List.copyOf(ips);
        if (remove && (!allowedIps.isEmpty() || replaceAllowedIps)) {
            throw new IllegalArgumentException("a peer being removed takes no allowed IPs");
        }
    }

    /** A peer change that changes nothing yet (with {@code update_only} off: applying it creates the peer). */
    public static PeerConfig of(PublicKey publicKey) {
        return new PeerConfig(publicKey, false, false, null, null, null, false, List.of());
    }

    /** Removes the peer. Equivalent to: {@code wg set IFACE peer KEY remove}. */
    public static PeerConfig removal(PublicKey publicKey) {
        return new PeerConfig(publicKey, true, false, null, null, null, false, List.of());
    }

    public PeerConfig withUpdateOnly(boolean v) {
        return new PeerConfig(publicKey, remove, v, presharedKey, endpoint, persistentKeepalive, replaceAllowedIps,
                allowedIps);
    }

    public PeerConfig withPresharedKey(PresharedKey v) {
        return new PeerConfig(publicKey, remove, updateOnly, v, endpoint, persistentKeepalive, replaceAllowedIps,
                allowedIps);
    }

    public PeerConfig withEndpoint(InetSocketAddress v) {
        return new PeerConfig(publicKey, remove, updateOnly, presharedKey, v, persistentKeepalive, replaceAllowedIps,
                allowedIps);
    }

    public PeerConfig withPersistentKeepalive(int seconds) {
        return new PeerConfig(publicKey, remove, updateOnly, presharedKey, endpoint, seconds, replaceAllowedIps,
                allowedIps);
    }

    public PeerConfig withReplaceAllowedIps(boolean v) {
        return new PeerConfig(publicKey, remove, updateOnly, presharedKey, endpoint, persistentKeepalive, v,
                allowedIps);
    }

    public PeerConfig withAllowedIps(List<IpPrefix> v) {
        return new PeerConfig(publicKey, remove, updateOnly, presharedKey, endpoint, persistentKeepalive,
                replaceAllowedIps, v);
    }
}
