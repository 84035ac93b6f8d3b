package dev.berth.wireguard.driver;

import dev.berth.wireguard.PublicKey;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;

/**
 * The kernel side of one berth/wireguard network on this host: its WireGuard device, its routing table and policy
 * rules, its local endpoints (veth pairs) and its peers (one per remote host). {@link KernelWgDataplane} is the real
 * one, over netlink and a {@link dev.berth.wireguard.WireGuardControl}.
 */
public interface WgDataplane {
    /**
     * Makes the device (if missing: also after wireguard-go stopped with the plugin), gives it the host key and the
     * listen port, the MTU, brings it up, and adds the table's catch-all and the device's rule. Idempotent.
     */
    void ensureNetwork();

    /** Removes the device, the table's routes and every rule of the network; absent pieces are fine. */
    void deleteNetwork();

    /**
     * True when the device is there with this host's key, its port and up: false after its wireguard-go process died
     * and the keeper started a bare one again ({@link #ensureNetwork} and a peer sync then repair it).
     */
    boolean deviceReady();

    /** The veth pair of a local endpoint, its /32 route in the table and its rule; returns the container side. */
    String createEndpoint(String endpointId, String ipv4, String mac);

    /** Removes a local endpoint's veth pair (its route goes with it) and its rule; absent pieces are fine. */
    void deleteEndpoint(String endpointId, String ipv4);

    /**
     * Makes the device's peers and the table's remote routes equal to {@code peers}: peers not listed are removed,
     * changed ones updated; peers and routes already right are not touched (sessions stay up).
     */
    void syncPeers(Map<PublicKey, RemoteHost> peers);

    /**
     * Key rotation, step "switch": gives the device {@code next} as its private key (sessions in progress keep
     * decrypting; the next packet to each peer starts a handshake with the new key).
     */
    void switchKey(dev.berth.wireguard.PrivateKey next);

    /**
     * One remote host of the network: where its device listens and its endpoints' addresses there.
     * {@code announced}: the host's next key during a rotation (step "announce"), a peer with no allowed IPs and
     * <em>no</em> persistent keepalive: a keepalive would make this host send a handshake initiation to a key the
     * other host does not hold yet, and that futile initiation holds back the next one by WireGuard's 5 s
     * REKEY_TIMEOUT, which stalled traffic for seconds after the commit in our measurement (README). The commit sets
     * the keepalive with the allowed IPs.
     */
    record RemoteHost(InetSocketAddress endpoint, List<String> ipv4s, boolean announced) {
        public RemoteHost {
            ipv4s = List.copyOf(ipv4s);
        }

        public RemoteHost(InetSocketAddress endpoint, List<String> ipv4s) {
            this(endpoint, ipv4s, false);
        }
    }
}
