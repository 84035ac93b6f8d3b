package dev.berth.wireguard.driver;

import dev.berth.overlay.NetworkKey;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Names and numbers derived from a network's cluster-wide key and this host's ID. The device name is unique per host
 * and per network (wireguard-go's sockets of every lab host share /var/run/wireguard); tables and rule priorities are
 * per host.
 */
final class WgNames {
    /** Rules {@code iif DEV lookup TABLE} all sit at this priority, before the main table's 32766. */
    static final int RULE_PRIORITY = 1000;

    private WgNames() {
    }

    /** {@code wg} + 4 hex of the host ID's hash + 6 hex of the network key's: 12 characters. */
    static String device(String hostId, NetworkKey key) {
        return "wg" + hex(hostId).substring(0, 4) + hex(key.value()).substring(0, 6);
    }

    /** The network's routing table on this host: 0x1000000 + 24 bits of the key's hash. */
    static int table(NetworkKey key) {
        return 0x1000000 + Integer.parseInt(hex(key.value()).substring(0, 6), 16);
    }

    /** The host side of an endpoint's veth pair: {@code wv} + the first 11 characters of the endpoint ID. */
    static String hostSide(String endpointId) {
        return "wv" + endpointId.substring(0, Math.min(11, endpointId.length()));
    }

    /** The container side, renamed by Docker to eth* when moved: {@code wc} + 11 characters of the ID. */
    static String containerSide(String endpointId) {
        return "wc" + endpointId.substring(0, Math.min(11, endpointId.length()));
    }

    private static String hex(String s) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < 4; i++) {
                b.append(String.format("%02x", h[i]));
            }
            return b.toString();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
