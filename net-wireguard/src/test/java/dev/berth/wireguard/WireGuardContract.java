package dev.berth.wireguard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.netlink.IpPrefix;
import java.net.InetSocketAddress;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * What every {@link WireGuardControl} must do, in WireGuard's semantics; run against {@link FakeWireGuard} (unit) and
 * a real wireguard-go over {@link UapiControl} (integration). Orders are not compared: wireguard-go reports peers
 * in hash-map order and allowed IPs in trie order.
 */
abstract class WireGuardContract {
    /** The control under test. */
    abstract WireGuardControl control();

    /** A new, empty device; its name. */
    abstract String newDevice();

    private static PeerConfig peer(PublicKey k, String... ips) {
        return PeerConfig.of(k).withAllowedIps(List.of(ips).stream().map(IpPrefix::parse).toList());
    }

    private static Set<IpPrefix> ips(DeviceState d, PublicKey k) {
        return new HashSet<>(d.peer(k).orElseThrow(() -> new AssertionError("no peer " + k)).allowedIps());
    }

    private static Set<IpPrefix> set(String... ips) {
        return new HashSet<>(List.of(ips).stream().map(IpPrefix::parse).toList());
    }

    @Test
    void aNewDevice_hasNoKeyAndNoPeers() {
        DeviceState d = control().read(newDevice());
        assertNull(d.privateKey());
        assertNull(d.publicKey());
        assertTrue(d.peers().isEmpty());
    }

    @Test
    void configure_thenRead_givesBackKeyPortAndPeers() {
        String dev = newDevice();
        KeyPair self = Keys.generate();
        PublicKey a = Keys.generate().publicKey();
        PublicKey b = Keys.generate().publicKey();
        control().configure(dev, DeviceConfig.unchanged().withPrivateKey(self.privateKey()).withListenPort(0)
                .withPeer(peer(a, "10.70.0.2/32", "fd70::2/128").withEndpoint(new InetSocketAddress("10.69.0.2",
                        51820)).withPersistentKeepalive(25))
                .withPeer(peer(b, "10.70.1.0/24")));
        DeviceState d = control().read(dev);
        assertEquals(self.privateKey(), d.privateKey());
        assertEquals(self.publicKey(), d.publicKey());
        assertEquals(2, d.peers().size());
        PeerState pa = d.peer(a).orElseThrow();
        assertEquals(new InetSocketAddress("10.69.0.2", 51820), pa.endpoint());
        assertEquals(25, pa.persistentKeepalive());
        assertEquals(set("10.70.0.2/32", "fd70::2/128"), ips(d, a));
        assertEquals(set("10.70.1.0/24"), ips(d, b));
        assertNull(pa.lastHandshake());
    }

    @Test
    void anAllowedIp_belongsToOnePeer_addingItElsewhereMovesIt() {
        String dev = newDevice();
        PublicKey a = Keys.generate().publicKey();
        PublicKey b = Keys.generate().publicKey();
        control().configure(dev, DeviceConfig.unchanged().withPeer(peer(a, "10.70.0.2/32", "10.70.0.3/32")));
        control().configure(dev, DeviceConfig.unchanged().withPeer(peer(b, "10.70.0.3/32")));
        DeviceState d = control().read(dev);
        assertEquals(set("10.70.0.2/32"), ips(d, a));
        assertEquals(set("10.70.0.3/32"), ips(d, b));
    }

    @Test
    void replaceAllowedIps_dropsThePeersOthers_whileAddingOnlyAdds() {
        String dev = newDevice();
        PublicKey a = Keys.generate().publicKey();
        control().configure(dev, DeviceConfig.unchanged().withPeer(peer(a, "10.70.0.2/32")));
        control().configure(dev, DeviceConfig.unchanged().withPeer(peer(a, "10.70.0.4/32")));
        assertEquals(set("10.70.0.2/32", "10.70.0.4/32"), ips(control().read(dev), a));
        control().configure(dev, DeviceConfig.unchanged().withPeer(peer(a, "10.70.0.5/32")
                .withReplaceAllowedIps(true)));
        assertEquals(set("10.70.0.5/32"), ips(control().read(dev), a));
    }

    @Test
    void updateOnly_changesAnExistingPeer_butNeverCreatesOne() {
        String dev = newDevice();
        PublicKey a = Keys.generate().publicKey();
        PublicKey ghost = Keys.generate().publicKey();
        control().configure(dev, DeviceConfig.unchanged().withPeer(peer(a)));
        control().configure(dev, DeviceConfig.unchanged()
                .withPeer(peer(a).withUpdateOnly(true).withPersistentKeepalive(7))
                .withPeer(peer(ghost, "10.70.9.0/24").withUpdateOnly(true)));
        DeviceState d = control().read(dev);
        assertEquals(7, d.peer(a).orElseThrow().persistentKeepalive());
        assertFalse(d.peer(ghost).isPresent());
    }

    @Test
    void remove_andReplacePeers_deletePeers() {
        String dev = newDevice();
        PublicKey a = Keys.generate().publicKey();
        PublicKey b = Keys.generate().publicKey();
        PublicKey c = Keys.generate().publicKey();
        control().configure(dev, DeviceConfig.unchanged().withPeer(peer(a)).withPeer(peer(b)));
        control().configure(dev, DeviceConfig.unchanged().withPeer(PeerConfig.removal(a)));
        assertEquals(List.of(b), control().read(dev).peers().stream().map(PeerState::publicKey).toList());
        control().configure(dev, DeviceConfig.unchanged().withReplacePeers(true).withPeer(peer(c)));
        assertEquals(List.of(c), control().read(dev).peers().stream().map(PeerState::publicKey).toList());
    }

    @Test
    void presharedKey_isSetAndCleared() {
        String dev = newDevice();
        PublicKey a = Keys.generate().publicKey();
        PresharedKey psk = Keys.generatePreshared();
        control().configure(dev, DeviceConfig.unchanged().withPeer(peer(a).withPresharedKey(psk)));
        assertEquals(psk, control().read(dev).peer(a).orElseThrow().presharedKey());
        control().configure(dev, DeviceConfig.unchanged().withPeer(peer(a).withPresharedKey(PresharedKey.NONE)));
        assertTrue(control().read(dev).peer(a).orElseThrow().presharedKey().isNone());
    }

    @Test
    void aMissingDevice_isNotFound() {
        WireGuardException e = assertThrows(WireGuardException.class, () -> control().read("wgnone0"));
        assertEquals(WireGuardException.Kind.NOT_FOUND, e.kind());
    }
}
