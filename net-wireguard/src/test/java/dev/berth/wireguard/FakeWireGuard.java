package dev.berth.wireguard;

import dev.berth.netlink.IpPrefix;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * WireGuard devices in memory, with the semantics both backends share: peers by public key, one peer per allowed IP
 * (adding it to one peer takes it from another), replace_peers, replace_allowed_ips, update_only, remove, a zero
 * preshared key meaning none. {@link #failNext} makes the next matching call fail, for rollback tests.
 * {@link WireGuardContract} holds it to the same expectations as wireguard-go.
 */
public final class FakeWireGuard implements WireGuardControl {
    private static final class Device {
        PrivateKey key;
        int port = 40000;
        int fwmark;
        final Map<PublicKey, Peer> peers = new LinkedHashMap<>();
    }

    private static final class Peer {
        PresharedKey psk = PresharedKey.NONE;
        InetSocketAddress endpoint;
        int keepalive;
        final List<IpPrefix> ips = new ArrayList<>();
    }

    private final Map<String, Device> devices = new LinkedHashMap<>();
    private final List<String> calls = new ArrayList<>();
    private String failPrefix;

    /** Adds an empty device, as creating the link would. */
    public synchronized FakeWireGuard add(String iface) {
        devices.put(iface, new Device());
        return this;
    }

    /** Removes a device, as deleting the link would; false if there was none. */
    public synchronized boolean remove(String iface) {
        return devices.remove(iface) != null;
    }

    /** Whether the device exists. */
    public synchronized boolean has(String iface) {
        return devices.containsKey(iface);
    }

    /** The next call whose description ("wg set IFACE", "wg show IFACE") starts with {@code prefix} fails EINVAL. */
    public synchronized void failNext(String prefix) {
        failPrefix = prefix;
    }

    public synchronized List<String> calls() {
        return List.copyOf(calls);
    }

    private Device device(String op, String iface) {
        calls.add(op);
        if (failPrefix != null && op.startsWith(failPrefix)) {
            failPrefix = null;
            throw WireGuardException.ofErrno(22, op, "injected failure");
        }
        Device d = devices.get(iface);
        if (d == null) {
            throw WireGuardException.ofErrno(19, op, "no such device");
        }
        return d;
    }

    @Override
    public synchronized void configure(String iface, DeviceConfig c) {
        Device d = device("wg set " + iface, iface);
        if (c.privateKey() != null) {
            d.key = c.privateKey();
            PublicKey self = c.privateKey().publicKey();
            d.peers.remove(self); // as both implementations do: a device is never its own peer
        }
        if (c.listenPort() != null) {
            d.port = c.listenPort() == 0 ? 40001 : c.listenPort();
        }
        if (c.fwmark() != null) {
            d.fwmark = c.fwmark();
        }
        if (c.replacePeers()) {
            d.peers.clear();
        }
        for (PeerConfig p : c.peers()) {
            if (p.remove()) {
                d.peers.remove(p.publicKey());
                continue;
            }
            Peer peer = d.peers.get(p.publicKey());
            if (peer == null) {
                if (p.updateOnly()) {
                    continue;
                }
                peer = new Peer();
                d.peers.put(p.publicKey(), peer);
            }
            if (p.presharedKey() != null) {
                peer.psk = p.presharedKey();
            }
            if (p.endpoint() != null) {
                peer.endpoint = p.endpoint();
            }
            if (p.persistentKeepalive() != null) {
                peer.keepalive = p.persistentKeepalive();
            }
            if (p.replaceAllowedIps()) {
                peer.ips.clear();
            }
            for (IpPrefix ip : p.allowedIps()) {
                for (Peer other : d.peers.values()) {
                    other.ips.remove(ip);
                }
                peer.ips.add(ip);
            }
        }
    }

    @Override
    public synchronized DeviceState read(String iface) {
        Device d = device("wg show " + iface, iface);
        List<PeerState> peers = new ArrayList<>();
        d.peers.forEach((k, p) -> peers.add(new PeerState(k, p.psk, p.endpoint, p.keepalive, null, 0, 0, p.ips, 1)));
        return new DeviceState(iface, 0, d.key, d.key == null ? null : d.key.publicKey(), d.port, d.fwmark, peers);
    }

    @Override
    public Backend backend() {
        return Backend.USERSPACE;
    }
}
