package dev.berth.wireguard;

import dev.berth.netlink.IpPrefix;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The cross-platform userspace API's text (https://www.wireguard.com/xplatform/), both ways. Pure: no sockets.
 *
 * <ul>
 *   <li>A request is {@code set=1} or {@code get=1}, then {@code key=value} lines, then an empty line.</li>
 *   <li>Keys are lowercase hex. A {@code public_key=} line starts a peer; the lines after it belong to that peer.</li>
 *   <li>A reply is {@code key=value} lines (for {@code get}) ending with {@code errno=N} and an empty line.
 *       wireguard-go sends negative errnos ({@code errno=-22}); the sign is ignored.</li>
 * </ul>
 */
final class UapiCodec {
    private UapiCodec() {
    }

    /** The {@code set=1} request for a set of changes. */
    static String set(DeviceConfig c) {
        StringBuilder sb = new StringBuilder("set=1\n");
        if (c.privateKey() != null) {
            line(sb, "private_key", c.privateKey().hex());
        }
        if (c.listenPort() != null) {
            line(sb, "listen_port", Integer.toString(c.listenPort()));
        }
        if (c.fwmark() != null) {
            line(sb, "fwmark", Integer.toUnsignedString(c.fwmark()));
        }
        if (c.replacePeers()) {
            line(sb, "replace_peers", "true");
        }
        for (PeerConfig p : c.peers()) {
            line(sb, "public_key", p.publicKey().hex());
            if (p.remove()) {
                line(sb, "remove", "true");
                continue;
            }
            if (p.updateOnly()) {
                line(sb, "update_only", "true");
            }
            if (p.presharedKey() != null) {
                line(sb, "preshared_key", p.presharedKey().hex());
            }
            if (p.endpoint() != null) {
                line(sb, "endpoint", endpoint(p.endpoint()));
            }
            if (p.persistentKeepalive() != null) {
                line(sb, "persistent_keepalive_interval", Integer.toString(p.persistentKeepalive()));
            }
            if (p.replaceAllowedIps()) {
                line(sb, "replace_allowed_ips", "true");
            }
            for (IpPrefix ip : p.allowedIps()) {
                line(sb, "allowed_ip", ip.toString());
            }
        }
        return sb.append('\n').toString();
    }

    static final String GET = "get=1\n\n";

    private static void line(StringBuilder sb, String key, String value) {
        sb.append(key).append('=').append(value).append('\n');
    }

    /** {@code 192.0.2.1:51820} or {@code [fd00::1]:51820}. */
    static String endpoint(InetSocketAddress a) {
        if (!(a.getAddress() instanceof Inet6Address v6)) {
            return a.getAddress().getHostAddress() + ":" + a.getPort();
        }
        String host = IpPrefix.of(v6, 128).toString();
        host = host.substring(0, host.length() - "/128".length());
        int zone = host.indexOf('%');
        if (zone >= 0) {
            host = host.substring(0, zone);
        }
        if (v6.getScopedInterface() != null) {
            host += "%" + v6.getScopedInterface().getName();
        } else if (v6.getScopeId() != 0) {
            host += "%" + v6.getScopeId();
        }
        return "[" + host + "]:" + a.getPort();
    }

    /** The errno of a reply; throws {@link WireGuardException} when it is not 0. */
    static void checkErrno(List<String[]> lines, String op) {
        if (lines.isEmpty() || !lines.get(lines.size() - 1)[0].equals("errno")) {
            throw new WireGuardException(WireGuardException.Kind.PROTOCOL, 0, op,
                    "the reply did not end with errno=N (the device closed the connection: an unknown request?)");
        }
        int errno = number(lines.get(lines.size() - 1), op, Integer.MIN_VALUE, Integer.MAX_VALUE).intValue();
        if (errno != 0) {
            throw WireGuardException.ofErrno(errno, op, "the device refused the request");
        }
    }

    /** Splits a reply into {@code key=value} pairs, up to the empty line that ends it. */
    static List<String[]> lines(String reply, String op) {
        List<String[]> out = new ArrayList<>();
        for (String line : reply.split("\n", -1)) {
            if (line.isEmpty()) {
                break;
            }
            int eq = line.indexOf('=');
            if (eq <= 0) {
                throw new WireGuardException(WireGuardException.Kind.PROTOCOL, 0, op, "not a key=value line: '"
                        + line + "'");
            }
            out.add(new String[] {line.substring(0, eq), line.substring(eq + 1)});
        }
        return out;
    }

    /**
     * A {@code get=1} reply as a device state. Every key the protocol defines is read; keys it does not know yet are
     * skipped, so a newer implementation still reads. The device's public key is derived from its private key (the
     * UAPI does not report it).
     */
    static DeviceState parseGet(String iface, String reply, String op) {
        List<String[]> lines = lines(reply, op);
        checkErrno(lines, op);
        PrivateKey priv = null;
        int listenPort = 0;
        int fwmark = 0;
        List<PeerState> peers = new ArrayList<>();
        PeerBuilder peer = null;
        for (String[] kv : lines.subList(0, lines.size() - 1)) {
            String k = kv[0];
            String v = kv[1];
            if (k.equals("public_key")) {
                if (peer != null) {
                    peers.add(peer.build());
                }
                peer = new PeerBuilder(key(() -> PublicKey.fromHex(v), kv, op));
                continue;
            }
            if (peer == null) {
                switch (k) {
                    case "private_key":
                        priv = key(() -> PrivateKey.fromHex(v), kv, op);
                        break;
                    case "listen_port":
                        listenPort = number(kv, op, 0, 65535).intValue();
                        break;
                    case "fwmark":
                        fwmark = (int) number(kv, op, 0, 0xffff_ffffL).longValue();
                        break;
                    default:
                        break; // a device key this code does not know yet
                }
                continue;
            }
            switch (k) {
                case "preshared_key":
                    peer.psk = key(() -> PresharedKey.fromHex(v), kv, op);
                    break;
                case "protocol_version":
                    peer.protocolVersion = number(kv, op, 0, Integer.MAX_VALUE).intValue();
                    break;
                case "endpoint":
                    peer.endpoint = parseEndpoint(v, op);
                    break;
                case "last_handshake_time_sec":
                    peer.handshakeSec = number(kv, op, 0, Long.MAX_VALUE).longValue();
                    break;
                case "last_handshake_time_nsec":
                    peer.handshakeNsec = number(kv, op, 0, 999_999_999).longValue();
                    break;
                case "tx_bytes":
                    peer.tx = number(kv, op, 0, Long.MAX_VALUE).longValue();
                    break;
                case "rx_bytes":
                    peer.rx = number(kv, op, 0, Long.MAX_VALUE).longValue();
                    break;
                case "persistent_keepalive_interval":
                    peer.keepalive = number(kv, op, 0, 65535).intValue();
                    break;
                case "allowed_ip":
                    try {
                        peer.allowedIps.add(IpPrefix.parse(v));
                    } catch (IllegalArgumentException e) {
                        throw bad(kv, op, e.getMessage());
                    }
                    break;
                default:
                    break; // a peer key this code does not know yet
            }
        }
        if (peer != null) {
            peers.add(peer.build());
        }
        return new DeviceState(iface, 0, priv, priv == null ? null : Keys.publicKey(priv), listenPort, fwmark,
                peers);
    }

    static InetSocketAddress parseEndpoint(String v, String op) {
        int colon = v.lastIndexOf(':');
        if (colon <= 0) {
            throw bad(new String[] {"endpoint", v}, op, "no port");
        }
        String host = v.substring(0, colon);
        int port;
        try {
            port = Integer.parseInt(v.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw bad(new String[] {"endpoint", v}, op, "bad port");
        }
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        try {
            return new InetSocketAddress(literal(host), port);
        } catch (IllegalArgumentException e) {
            throw bad(new String[] {"endpoint", v}, op, e.getMessage());
        }
    }

    /** A literal address, never a name lookup; an IPv6 zone ({@code %eth0}) is kept when this host knows it. */
    private static InetAddress literal(String host) {
        int pct = host.indexOf('%');
        InetAddress bare = IpPrefix.parse(pct < 0 ? host : host.substring(0, pct)).address();
        if (pct < 0) {
            return bare;
        }
        try {
            return InetAddress.getByName(host);
        } catch (UnknownHostException e) {
            return bare;
        }
    }

    private static Number number(String[] kv, String op, long min, long max) {
        try {
            long n = Long.parseLong(kv[1]);
            if (n < min || n > max) {
                throw bad(kv, op, "out of range " + min + ".." + max);
            }
            return n;
        } catch (NumberFormatException e) {
            throw bad(kv, op, "not a number");
        }
    }

    private interface KeyParser<T> {
        T parse();
    }

    private static <T> T key(KeyParser<T> p, String[] kv, String op) {
        try {
            return p.parse();
        } catch (IllegalArgumentException e) {
            throw bad(new String[] {kv[0], "(" + kv[1].length() + " characters)"}, op, e.getMessage());
        }
    }

    private static WireGuardException bad(String[] kv, String op, String why) {
        return new WireGuardException(WireGuardException.Kind.PROTOCOL, 0, op, "bad reply line " + kv[0] + "="
                + kv[1] + ": " + why);
    }

    private static final class PeerBuilder {
        final PublicKey key;
        PresharedKey psk = PresharedKey.NONE;
        InetSocketAddress endpoint;
        int keepalive;
        long handshakeSec;
        long handshakeNsec;
        long rx;
        long tx;
        int protocolVersion;
        final List<IpPrefix> allowedIps = new ArrayList<>();

        PeerBuilder(PublicKey key) {
            this.key = key;
        }

        PeerState build() {
            Instant hs = handshakeSec == 0 && handshakeNsec == 0 ? null
                    : Instant.ofEpochSecond(handshakeSec, handshakeNsec);
            return new PeerState(key, psk, endpoint, keepalive, hs, rx, tx, allowedIps, protocolVersion);
        }
    }
}
