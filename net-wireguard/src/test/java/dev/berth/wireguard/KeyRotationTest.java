package dev.berth.wireguard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.netlink.IpPrefix;
import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The rotation procedure's steps, and its rollback, on fake devices. */
@Tag("unit")
class KeyRotationTest {
    private final FakeWireGuard fake = new FakeWireGuard().add("wga").add("wgb");
    private final KeyPair a = Keys.generate();
    private final KeyPair b = Keys.generate();
    private final PresharedKey psk = Keys.generatePreshared();

    KeyRotationTest() {
        fake.configure("wga", DeviceConfig.unchanged().withPrivateKey(a.privateKey())
                .withPeer(PeerConfig.of(b.publicKey()).withAllowedIps(List.of(IpPrefix.parse("10.80.0.2/32")))
                        .withPresharedKey(psk)));
        fake.configure("wgb", DeviceConfig.unchanged().withPrivateKey(b.privateKey())
                .withPeer(PeerConfig.of(a.publicKey()).withAllowedIps(List.of(IpPrefix.parse("10.80.0.1/32")))
                        .withEndpoint(new InetSocketAddress("10.79.0.1", 51820)).withPersistentKeepalive(25)
                        .withPresharedKey(psk)));
    }

    @Test
    void announce_addsTheNewKeyWithEverythingButTheAllowedIps() {
        PublicKey next = Keys.generate().publicKey();
        PeerState old = fake.read("wgb").peer(a.publicKey()).orElseThrow();
        fake.configure("wgb", KeyRotation.announce(old, next));
        DeviceState d = fake.read("wgb");
        PeerState added = d.peer(next).orElseThrow();
        assertEquals(old.endpoint(), added.endpoint());
        assertEquals(25, added.persistentKeepalive());
        assertEquals(psk, added.presharedKey());
        assertTrue(added.allowedIps().isEmpty());
        assertEquals(old.allowedIps(), d.peer(a.publicKey()).orElseThrow().allowedIps(), "traffic still goes to old");
    }

    @Test
    void rotate_movesThePeersEntryToTheNewKey_andSwitchesTheLocalKey() {
        KeyPair next = Keys.generate();
        KeyRotation.rotate(fake, "wga", next, List.of(new KeyRotation.Remote(fake, "wgb")));
        List<String> calls = fake.calls();
        assertEquals(next.publicKey(), fake.read("wga").publicKey());
        DeviceState peerSide = fake.read("wgb");
        assertEquals(1, peerSide.peers().size());
        PeerState p = peerSide.peers().get(0);
        assertEquals(next.publicKey(), p.publicKey());
        assertEquals(List.of(IpPrefix.parse("10.80.0.1/32")), p.allowedIps());
        assertEquals(new InetSocketAddress("10.79.0.1", 51820), p.endpoint());
        assertEquals(psk, p.presharedKey());
        assertEquals(List.of("wg show wga", "wg show wgb", "wg set wgb", "wg set wga", "wg set wgb"),
                calls.subList(2, calls.size()), "announce, switch, commit in that order");
    }

    @Test
    void rotate_whenTheSwitchFails_withdrawsTheAnnouncedKey_andSaysSo() {
        KeyPair next = Keys.generate();
        fake.failNext("wg set wga");
        WireGuardException e = assertThrows(WireGuardException.class,
                () -> KeyRotation.rotate(fake, "wga", next, List.of(new KeyRotation.Remote(fake, "wgb"))));
        assertTrue(e.getSuppressed()[0].getMessage().startsWith("rolled back"), e.getSuppressed()[0].getMessage());
        assertEquals(a.publicKey(), fake.read("wga").publicKey());
        assertFalse(fake.read("wgb").peer(next.publicKey()).isPresent());
        assertTrue(fake.read("wgb").peer(a.publicKey()).isPresent());
    }

    @Test
    void rotate_whenAPeerDoesNotKnowTheHost_changesNothing() {
        fake.add("wgc");
        KeyPair next = Keys.generate();
        WireGuardException e = assertThrows(WireGuardException.class, () -> KeyRotation.rotate(fake, "wga", next,
                List.of(new KeyRotation.Remote(fake, "wgb"), new KeyRotation.Remote(fake, "wgc"))));
        assertEquals(WireGuardException.Kind.NOT_FOUND, e.kind());
        assertEquals(a.publicKey(), fake.read("wga").publicKey());
        assertFalse(fake.read("wgb").peer(next.publicKey()).isPresent());
    }
}
