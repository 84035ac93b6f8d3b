package dev.berth.wireguard;

import dev.berth.netlink.GenlAttribute;
import dev.berth.netlink.GenlAttributes;
import dev.berth.netlink.GenlFamily;
import dev.berth.netlink.GenlRequest;
import dev.berth.netlink.IpPrefix;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The kernel's generic netlink family {@code "wireguard"} (include/uapi/linux/wireguard.h), both ways. Pure: requests
 * are built as {@link GenlRequest}s and replies read from {@link GenlAttributes}, so every byte can be checked
 * without the module.
 *
 * <p><b>Splitting a large set</b> (as wg(8)'s {@code kernel_set_device} does). Every message names the device
 * ({@code WGDEVICE_A_IFNAME}); the device's own attributes go in the first one only. Peers are added to a message
 * until the next would pass {@code budget} bytes; then the message is sent and the next one continues with that peer.
 * A peer whose allowed IPs do not fit is cut after the last one that does, and continues in the next message with its
 * public key, its remove/update-only flags and the rest of its allowed IPs: its other attributes, and
 * {@code WGPEER_F_REPLACE_ALLOWEDIPS}, go in its first part only, so the continuation adds to what the first part set.
 *
 * <p><b>Merging a dump.</b> The kernel fills one message per reply buffer; the device's attributes come in the first,
 * and a peer cut off at the end of a message is continued at the start of the next with its public key and the rest
 * of its allowed IPs. Consecutive entries with the same public key are merged.
 */
final class WgNetlinkCodec {
    static final String FAMILY = "wireguard";
    static final int WG_CMD_GET_DEVICE = 0;
    static final int WG_CMD_SET_DEVICE = 1;
    static final int WGDEVICE_F_REPLACE_PEERS = 1;
    static final int WGDEVICE_A_IFINDEX = 1;
    static final int WGDEVICE_A_IFNAME = 2;
    static final int WGDEVICE_A_PRIVATE_KEY = 3;
    static final int WGDEVICE_A_PUBLIC_KEY = 4;
    static final int WGDEVICE_A_FLAGS = 5;
    static final int WGDEVICE_A_LISTEN_PORT = 6;
    static final int WGDEVICE_A_FWMARK = 7;
    static final int WGDEVICE_A_PEERS = 8;
    static final int WGPEER_F_REMOVE_ME = 1;
    static final int WGPEER_F_REPLACE_ALLOWEDIPS = 2;
    static final int WGPEER_F_UPDATE_ONLY = 4;
    static final int WGPEER_A_PUBLIC_KEY = 1;
    static final int WGPEER_A_PRESHARED_KEY = 2;
    static final int WGPEER_A_FLAGS = 3;
    static final int WGPEER_A_ENDPOINT = 4;
    static final int WGPEER_A_PERSISTENT_KEEPALIVE_INTERVAL = 5;
    static final int WGPEER_A_LAST_HANDSHAKE_TIME = 6;
    static final int WGPEER_A_RX_BYTES = 7;
    static final int WGPEER_A_TX_BYTES = 8;
    static final int WGPEER_A_ALLOWEDIPS = 9;
    static final int WGPEER_A_PROTOCOL_VERSION = 10;
    static final int WGALLOWEDIP_A_FAMILY = 1;
    static final int WGALLOWEDIP_A_IPADDR = 2;
    static final int WGALLOWEDIP_A_CIDR_MASK = 3;
    static final int AF_INET = 2;
    static final int AF_INET6 = 10;
    /** One page, what wg(8) sizes its messages to ({@code mnl_ideal_socket_buffer_size()}). */
    static final int DEFAULT_BUDGET = 4096;

    private WgNetlinkCodec() {
    }

    /** {@code WG_CMD_GET_DEVICE} as a dump, for the device named {@code iface}. */
    static GenlRequest get(GenlFamily family, String iface) {
        return GenlRequest.dump(family, WG_CMD_GET_DEVICE).string(WGDEVICE_A_IFNAME, iface);
    }

    /** {@code WG_CMD_SET_DEVICE} messages for a set of changes, none longer than {@code budget} bytes. */
    static List<GenlRequest> set(GenlFamily family, String iface, DeviceConfig c, int budget) {
        List<GenlRequest> out = new ArrayList<>();
        List<PeerConfig> peers = c.peers();
        int peer = 0;
        int ip = 0;
        do {
            GenlRequest m = GenlRequest.command(family, WG_CMD_SET_DEVICE).string(WGDEVICE_A_IFNAME, iface);
            if (out.isEmpty()) {
                device(m, c);
            }
            if (peer < peers.size()) {
                int peersNest = m.nestStart(WGDEVICE_A_PEERS);
                boolean any = false;
                while (peer < peers.size()) {
                    PeerConfig p = peers.get(peer);
                    int firstIp = ip;
                    int head = measure(family, w -> peerHead(w, p, firstIp > 0))
                            + (p.allowedIps().isEmpty() ? 0 : 4 + measure(family, w -> allowedIp(w, p.allowedIps()
                                    .get(firstIp))));
                    if (m.length() + head > budget) {
                        if (!any) {
                            throw new IllegalArgumentException("a " + budget + "-byte budget cannot hold one peer");
                        }
                        break;
                    }
                    any = true;
                    int peerNest = m.nestStart(0);
                    peerHead(m, p, ip > 0);
                    if (!p.allowedIps().isEmpty()) {
                        int ipsNest = m.nestStart(WGPEER_A_ALLOWEDIPS);
                        while (ip < p.allowedIps().size()) {
                            IpPrefix a = p.allowedIps().get(ip);
                            if (m.length() + measure(family, w -> allowedIp(w, a)) > budget) {
                                break;
                            }
                            allowedIp(m, a);
                            ip++;
                        }
                        m.nestEnd(ipsNest);
                    }
                    m.nestEnd(peerNest);
                    if (ip < p.allowedIps().size()) {
                        break; // this peer goes on in the next message
                    }
                    peer++;
                    ip = 0;
                }
                m.nestEnd(peersNest);
            }
            out.add(m);
        } while (peer < peers.size());
        return out;
    }

    private static void device(GenlRequest m, DeviceConfig c) {
        if (c.privateKey() != null) {
            m.bytes(WGDEVICE_A_PRIVATE_KEY, c.privateKey().bytes());
        }
        if (c.listenPort() != null) {
            m.u16(WGDEVICE_A_LISTEN_PORT, c.listenPort());
        }
        if (c.fwmark() != null) {
            m.u32(WGDEVICE_A_FWMARK, c.fwmark());
        }
        if (c.replacePeers()) {
            m.u32(WGDEVICE_A_FLAGS, WGDEVICE_F_REPLACE_PEERS);
        }
    }

    /** A peer's attributes before its allowed IPs; a continuation carries only its key and remove/update flags. */
    private static void peerHead(GenlRequest m, PeerConfig p, boolean continuation) {
        m.bytes(WGPEER_A_PUBLIC_KEY, p.publicKey().bytes());
        int flags = (p.remove() ? WGPEER_F_REMOVE_ME : 0) | (p.updateOnly() ? WGPEER_F_UPDATE_ONLY : 0)
                | (p.replaceAllowedIps() && !continuation ? WGPEER_F_REPLACE_ALLOWEDIPS : 0);
        if (!continuation) {
            if (p.presharedKey() != null) {
                m.bytes(WGPEER_A_PRESHARED_KEY, p.presharedKey().bytes());
            }
            if (p.endpoint() != null) {
                m.bytes(WGPEER_A_ENDPOINT, sockaddr(p.endpoint()));
            }
            if (p.persistentKeepalive() != null) {
                m.u16(WGPEER_A_PERSISTENT_KEEPALIVE_INTERVAL, p.persistentKeepalive());
            }
        }
        if (flags != 0) {
            m.u32(WGPEER_A_FLAGS, flags);
        }
    }

    private static void allowedIp(GenlRequest m, IpPrefix a) {
        int n = m.nestStart(0);
        m.u16(WGALLOWEDIP_A_FAMILY, a.address() instanceof Inet4Address ? AF_INET : AF_INET6);
        m.bytes(WGALLOWEDIP_A_IPADDR, a.address().getAddress());
        m.u8(WGALLOWEDIP_A_CIDR_MASK, a.length());
        m.nestEnd(n);
    }

    /** How many bytes {@code w} writes: attributes are aligned, so this does not depend on where they go. */
    private static int measure(GenlFamily family, Consumer<GenlRequest> w) {
        GenlRequest scratch = GenlRequest.command(family, WG_CMD_SET_DEVICE);
        int before = scratch.length();
        w.accept(scratch);
        return scratch.length() - before;
    }

    /**
     * {@code struct sockaddr_in} (16 bytes) or {@code struct sockaddr_in6} (28 bytes): the family in host order, the
     * port and address in network order, the IPv6 scope ID in host order.
     */
    static byte[] sockaddr(InetSocketAddress a) {
        InetAddress ip = a.getAddress();
        if (ip instanceof Inet4Address) {
            ByteBuffer b = ByteBuffer.allocate(16).order(ByteOrder.nativeOrder());
            b.putShort((short) AF_INET);
            b.order(ByteOrder.BIG_ENDIAN).putShort((short) a.getPort()).put(ip.getAddress());
            return b.array();
        }
        ByteBuffer b = ByteBuffer.allocate(28).order(ByteOrder.nativeOrder());
        b.putShort((short) AF_INET6);
        b.order(ByteOrder.BIG_ENDIAN).putShort((short) a.getPort()).putInt(0).put(ip.getAddress());
        b.order(ByteOrder.nativeOrder()).putInt(((Inet6Address) ip).getScopeId());
        return b.array();
    }

    static InetSocketAddress parseSockaddr(byte[] raw) {
        ByteBuffer b = ByteBuffer.wrap(raw).order(ByteOrder.nativeOrder());
        if (raw.length < 2) {
            throw malformed("an endpoint of " + raw.length + " bytes");
        }
        int fam = b.getShort(0) & 0xffff;
        int port = ((raw[2] & 0xff) << 8) | (raw[3] & 0xff);
        try {
            if (fam == AF_INET && raw.length >= 8) {
                byte[] addr = new byte[4];
                System.arraycopy(raw, 4, addr, 0, 4);
                return new InetSocketAddress(InetAddress.getByAddress(addr), port);
            }
            if (fam == AF_INET6 && raw.length >= 28) {
                byte[] addr = new byte[16];
                System.arraycopy(raw, 8, addr, 0, 16);
                int scope = b.getInt(24);
                InetAddress a = scope == 0 ? InetAddress.getByAddress(addr)
                        : Inet6Address.getByAddress(null, addr, scope);
                return new InetSocketAddress(a, port);
            }
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
        if (fam == 0) {
            return null; // AF_UNSPEC: no endpoint
        }
        throw malformed("an endpoint of family " + fam + " and " + raw.length + " bytes");
    }

    /** The messages of one {@code WG_CMD_GET_DEVICE} dump, merged into one device. */
    static DeviceState parseDump(List<GenlAttributes> messages, String iface) {
        String name = iface;
        int ifindex = 0;
        PrivateKey priv = null;
        PublicKey pub = null;
        int port = 0;
        int fwmark = 0;
        List<PeerState> peers = new ArrayList<>();
        for (GenlAttributes m : messages) {
            if (m.has(WGDEVICE_A_IFINDEX)) {
                ifindex = m.get(WGDEVICE_A_IFINDEX).u32();
            }
            if (m.has(WGDEVICE_A_IFNAME)) {
                name = m.get(WGDEVICE_A_IFNAME).string();
            }
            if (m.has(WGDEVICE_A_PRIVATE_KEY)) {
                byte[] k = m.get(WGDEVICE_A_PRIVATE_KEY).bytes();
                priv = KeyBytes.allZero(k) ? null : PrivateKey.of(key(k, "private key"));
            }
            if (m.has(WGDEVICE_A_PUBLIC_KEY)) {
                byte[] k = m.get(WGDEVICE_A_PUBLIC_KEY).bytes();
                pub = KeyBytes.allZero(k) ? null : PublicKey.of(key(k, "public key"));
            }
            if (m.has(WGDEVICE_A_LISTEN_PORT)) {
                port = m.get(WGDEVICE_A_LISTEN_PORT).u16();
            }
            if (m.has(WGDEVICE_A_FWMARK)) {
                fwmark = m.get(WGDEVICE_A_FWMARK).u32();
            }
            for (GenlAttribute entry : m.nested(WGDEVICE_A_PEERS).all()) {
                PeerState p = parsePeer(entry.nested());
                int last = peers.size() - 1;
                if (last >= 0 && peers.get(last).publicKey().equals(p.publicKey())) {
                    peers.set(last, peers.get(last).withMoreAllowedIps(p.allowedIps()));
                } else {
                    peers.add(p);
                }
            }
        }
        return new DeviceState(name, ifindex, priv, pub, port, fwmark, peers);
    }

    private static PeerState parsePeer(GenlAttributes a) {
        GenlAttribute key = a.get(WGPEER_A_PUBLIC_KEY);
        if (key == null) {
            throw malformed("a peer without WGPEER_A_PUBLIC_KEY");
        }
        PresharedKey psk = a.has(WGPEER_A_PRESHARED_KEY)
                ? PresharedKey.of(key(a.get(WGPEER_A_PRESHARED_KEY).bytes(), "preshared key")) : PresharedKey.NONE;
        InetSocketAddress endpoint = a.has(WGPEER_A_ENDPOINT) ? parseSockaddr(a.get(WGPEER_A_ENDPOINT).bytes()) : null;
        int keepalive = a.has(WGPEER_A_PERSISTENT_KEEPALIVE_INTERVAL)
                ? a.get(WGPEER_A_PERSISTENT_KEEPALIVE_INTERVAL).u16() : 0;
        Instant handshake = null;
        if (a.has(WGPEER_A_LAST_HANDSHAKE_TIME)) {
            byte[] ts = a.get(WGPEER_A_LAST_HANDSHAKE_TIME).bytes();
            if (ts.length < 16) {
                throw malformed("WGPEER_A_LAST_HANDSHAKE_TIME of " + ts.length + " bytes");
            }
            ByteBuffer b = ByteBuffer.wrap(ts).order(ByteOrder.nativeOrder());
            long sec = b.getLong(0);
            long nsec = b.getLong(8);
            handshake = sec == 0 && nsec == 0 ? null : Instant.ofEpochSecond(sec, nsec);
        }
        long rx = a.has(WGPEER_A_RX_BYTES) ? a.get(WGPEER_A_RX_BYTES).u64() : 0;
        long tx = a.has(WGPEER_A_TX_BYTES) ? a.get(WGPEER_A_TX_BYTES).u64() : 0;
        int version = a.has(WGPEER_A_PROTOCOL_VERSION) ? a.get(WGPEER_A_PROTOCOL_VERSION).u32() : 0;
        List<IpPrefix> ips = new ArrayList<>();
        for (GenlAttribute e : a.nested(WGPEER_A_ALLOWEDIPS).all()) {
            GenlAttributes ip = e.nested();
            GenlAttribute addr = ip.get(WGALLOWEDIP_A_IPADDR);
            GenlAttribute cidr = ip.get(WGALLOWEDIP_A_CIDR_MASK);
            if (addr == null || cidr == null) {
                throw malformed("an allowed IP without address or mask");
            }
            try {
                ips.add(IpPrefix.of(InetAddress.getByAddress(addr.bytes()), cidr.u8()));
            } catch (UnknownHostException | IllegalArgumentException ex) {
                throw malformed("allowed IP: " + ex.getMessage());
            }
        }
        return new PeerState(PublicKey.of(key(key.bytes(), "public key")), psk, endpoint, keepalive, handshake, rx,
                tx, ips, version);
    }

    private static byte[] key(byte[] b, String what) {
        if (b.length != KeyBytes.LENGTH) {
            throw malformed("a " + what + " of " + b.length + " bytes");
        }
        return b;
    }

    private static WireGuardException malformed(String what) {
        return new WireGuardException(WireGuardException.Kind.PROTOCOL, 0, "wg show", "malformed kernel reply: "
                + what);
    }
}
