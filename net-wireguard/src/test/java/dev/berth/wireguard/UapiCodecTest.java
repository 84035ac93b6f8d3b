package dev.berth.wireguard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.netlink.IpPrefix;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The UAPI text: requests byte for byte, and replies as wireguard-go v0.0.20230223 writes them. */
@Tag("unit")
class UapiCodecTest {
    private static final String K11 = "11".repeat(32);
    private static final String K22 = "22".repeat(32);
    private static final String K33 = "33".repeat(32);

    /** Captured from wireguard-go v0.0.20230223 after the set in {@link #set_writesEveryKeyInProtocolOrder}. */
    private static final String CAPTURED_GET = "private_key=1011111111111111111111111111111111111111111111111111111111111151\n"
            + "listen_port=51820\n"
            + "public_key=2222222222222222222222222222222222222222222222222222222222222222\n"
            + "preshared_key=0000000000000000000000000000000000000000000000000000000000000000\n"
            + "protocol_version=1\n"
            + "endpoint=192.0.2.1:51820\n"
            + "last_handshake_time_sec=0\n"
            + "last_handshake_time_nsec=0\n"
            + "tx_bytes=0\n"
            + "rx_bytes=0\n"
            + "persistent_keepalive_interval=25\n"
            + "allowed_ip=10.1.0.0/24\n"
            + "errno=0\n\n";

    @Test
    void set_writesEveryKeyInProtocolOrder() {
        DeviceConfig c = DeviceConfig.unchanged().withPrivateKey(PrivateKey.fromHex(K11)).withListenPort(51820)
                .withFwmark(0x42).withReplacePeers(true)
                .withPeer(PeerConfig.of(PublicKey.fromHex(K22)).withPresharedKey(PresharedKey.fromHex(K33))
                        .withEndpoint(new InetSocketAddress("192.0.2.1", 51820)).withPersistentKeepalive(25)
                        .withReplaceAllowedIps(true)
                        .withAllowedIps(List.of(IpPrefix.parse("10.1.0.5/24"), IpPrefix.parse("fd00::1/64"))))
                .withPeer(PeerConfig.of(PublicKey.fromHex(K33)).withUpdateOnly(true)
                        .withEndpoint(new InetSocketAddress("fd00::9", 51821)))
                .withPeer(PeerConfig.removal(PublicKey.fromHex(K11)));
        assertEquals("set=1\n"
                + "private_key=1011111111111111111111111111111111111111111111111111111111111151\n"
                + "listen_port=51820\n"
                + "fwmark=66\n"
                + "replace_peers=true\n"
                + "public_key=" + K22 + "\n"
                + "preshared_key=" + K33 + "\n"
                + "endpoint=192.0.2.1:51820\n"
                + "persistent_keepalive_interval=25\n"
                + "replace_allowed_ips=true\n"
                + "allowed_ip=10.1.0.0/24\n"
                + "allowed_ip=fd00::/64\n"
                + "public_key=" + K33 + "\n"
                + "update_only=true\n"
                + "endpoint=[fd00::9]:51821\n"
                + "public_key=" + K11 + "\n"
                + "remove=true\n"
                + "\n", UapiCodec.set(c));
    }

    @Test
    void set_clearsAPresharedKeyWithZeros() {
        String s = UapiCodec.set(DeviceConfig.unchanged()
                .withPeer(PeerConfig.of(PublicKey.fromHex(K22)).withPresharedKey(PresharedKey.NONE)));
        assertTrue(s.contains("preshared_key=" + "0".repeat(64) + "\n"), s);
    }

    @Test
    void parseGet_readsWhatWireguardGoWrites() {
        DeviceState d = UapiCodec.parseGet("wg0", CAPTURED_GET, "wg show wg0");
        assertEquals("wg0", d.name());
        assertEquals(PrivateKey.fromHex(K11), d.privateKey());
        assertEquals(PrivateKey.fromHex(K11).publicKey(), d.publicKey(), "derived: the UAPI does not report it");
        assertEquals(51820, d.listenPort());
        assertEquals(0, d.fwmark());
        assertEquals(1, d.peers().size());
        PeerState p = d.peers().get(0);
        assertEquals(PublicKey.fromHex(K22), p.publicKey());
        assertTrue(p.presharedKey().isNone());
        assertEquals(new InetSocketAddress("192.0.2.1", 51820), p.endpoint());
        assertNull(p.lastHandshake());
        assertEquals(25, p.persistentKeepalive());
        assertEquals(List.of(IpPrefix.parse("10.1.0.0/24")), p.allowedIps());
        assertEquals(1, p.protocolVersion());
    }

    @Test
    void parseGet_readsHandshakeCountersSeveralPeersIpv6AndIgnoresUnknownKeys() {
        String reply = "private_key=" + K11 + "\nlisten_port=1\nfwmark=4294967295\nfuture_device_key=x\n"
                + "public_key=" + K22 + "\npreshared_key=" + K33 + "\nendpoint=[fd00::1]:51820\n"
                + "last_handshake_time_sec=1764000000\nlast_handshake_time_nsec=5\ntx_bytes=5000000000\n"
                + "rx_bytes=7\nallowed_ip=fd00::/64\nallowed_ip=10.0.0.1/32\nfuture_peer_key=y\n"
                + "public_key=" + K33 + "\n"
                + "errno=0\n\n";
        DeviceState d = UapiCodec.parseGet("wg0", reply, "wg show wg0");
        assertEquals(-1, d.fwmark());
        assertEquals(2, d.peers().size());
        PeerState p = d.peers().get(0);
        assertEquals(PresharedKey.fromHex(K33), p.presharedKey());
        assertEquals(new InetSocketAddress("fd00::1", 51820), p.endpoint());
        assertEquals(Instant.ofEpochSecond(1764000000, 5), p.lastHandshake());
        assertEquals(5_000_000_000L, p.txBytes());
        assertEquals(7, p.rxBytes());
        assertEquals(List.of(IpPrefix.parse("fd00::/64"), IpPrefix.parse("10.0.0.1/32")), p.allowedIps());
        assertEquals(PublicKey.fromHex(K33), d.peers().get(1).publicKey());
        assertTrue(d.peers().get(1).allowedIps().isEmpty());
    }

    @Test
    void parseGet_ofAFreshDevice_hasNoKey() {
        DeviceState d = UapiCodec.parseGet("wg0", "listen_port=49585\nerrno=0\n\n", "op");
        assertNull(d.privateKey());
        assertNull(d.publicKey());
        assertEquals(49585, d.listenPort());
    }

    @Test
    void errno_isTypedWhateverItsSign() {
        WireGuardException e = assertThrows(WireGuardException.class,
                () -> UapiCodec.checkErrno(UapiCodec.lines("errno=-22\n\n", "wg set wg0"), "wg set wg0"));
        assertEquals(WireGuardException.Kind.INVALID, e.kind());
        assertEquals(22, e.errno());
        assertTrue(e.getMessage().startsWith("wg set wg0: EINVAL"), e.getMessage());
        e = assertThrows(WireGuardException.class,
                () -> UapiCodec.checkErrno(UapiCodec.lines("errno=98\n\n", "op"), "op"));
        assertEquals(WireGuardException.Kind.ADDRESS_IN_USE, e.kind());
    }

    @Test
    void aReplyWithoutErrno_orWithBadLines_isAProtocolError() {
        assertEquals(WireGuardException.Kind.PROTOCOL, assertThrows(WireGuardException.class,
                () -> UapiCodec.parseGet("wg0", "", "op")).kind());
        assertEquals(WireGuardException.Kind.PROTOCOL, assertThrows(WireGuardException.class,
                () -> UapiCodec.parseGet("wg0", "listen_port=99999\nerrno=0\n\n", "op")).kind());
        assertEquals(WireGuardException.Kind.PROTOCOL, assertThrows(WireGuardException.class,
                () -> UapiCodec.parseGet("wg0", "garbage\nerrno=0\n\n", "op")).kind());
        WireGuardException e = assertThrows(WireGuardException.class,
                () -> UapiCodec.parseGet("wg0", "private_key=abc\nerrno=0\n\n", "op"));
        assertEquals(WireGuardException.Kind.PROTOCOL, e.kind());
    }
}
