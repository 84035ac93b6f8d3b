package dev.berth.wireguard;

import static dev.berth.wireguard.WgNetlinkCodec.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.berth.netlink.GenlAttribute;
import dev.berth.netlink.GenlAttributes;
import dev.berth.netlink.GenlFamily;
import dev.berth.netlink.GenlRequest;
import dev.berth.netlink.IpPrefix;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteOrder;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The kernel's WireGuard family without the kernel: requests byte for byte against {@code wg-golden.c} (built from
 * linux/wireguard.h), kernel-style dump replies read back, and large sets split and reassembled.
 */
@Tag("unit")
class WgNetlinkCodecTest {
    static final GenlFamily FAMILY = new GenlFamily("wireguard", 0x15, 1, 0, 8, Map.of());

    @BeforeAll
    static void littleEndian() {
        assumeTrue(ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN, "the golden bytes are little-endian");
    }

    static byte[] key(int first) {
        byte[] k = new byte[32];
        for (int i = 0; i < 32; i++) {
            k[i] = (byte) (first + i);
        }
        return k;
    }

    private static String bytes(GenlRequest r) {
        return Golden.hex(r.toBytes(1, 0));
    }

    @Test
    void get_isADumpNamingTheDevice() {
        assertEquals(Golden.hex("get_device"), bytes(WgNetlinkCodec.get(FAMILY, "wg0")));
    }

    @Test
    void set_deviceWithOnePeer_matchesTheKernelLayout() {
        DeviceConfig c = DeviceConfig.unchanged().withPrivateKey(PrivateKey.of(key(1))).withListenPort(51820)
                .withFwmark(0x42).withReplacePeers(true)
                .withPeer(PeerConfig.of(PublicKey.of(key(0xa0))).withPresharedKey(PresharedKey.of(key(0x40)))
                        .withEndpoint(new InetSocketAddress("192.0.2.1", 51820)).withPersistentKeepalive(25)
                        .withReplaceAllowedIps(true)
                        .withAllowedIps(List.of(IpPrefix.parse("10.1.0.0/24"), IpPrefix.parse("fd00::/64"))));
        List<GenlRequest> m = WgNetlinkCodec.set(FAMILY, "wg0", c, DEFAULT_BUDGET);
        assertEquals(1, m.size());
        assertEquals(Golden.hex("set_device"), bytes(m.get(0)));
    }

    @Test
    void set_updateOnlyWithAnIpv6Endpoint_andARemoval_matchTheKernelLayout() {
        DeviceConfig c = DeviceConfig.unchanged()
                .withPeer(PeerConfig.of(PublicKey.of(key(0xa0))).withUpdateOnly(true)
                        .withEndpoint(new InetSocketAddress("fd00::1", 51821)))
                .withPeer(PeerConfig.removal(PublicKey.of(key(0xc0))));
        List<GenlRequest> m = WgNetlinkCodec.set(FAMILY, "wg0", c, DEFAULT_BUDGET);
        assertEquals(List.of(Golden.hex("set_device_update_and_remove")), List.of(bytes(m.get(0))));
    }

    @Test
    void set_aPeerWhoseAllowedIpsDoNotFit_continuesInTheNextMessage_withoutReplacingAgain() {
        DeviceConfig c = DeviceConfig.unchanged().withPeer(PeerConfig.of(PublicKey.of(key(0xa0)))
                .withReplaceAllowedIps(true).withAllowedIps(List.of(IpPrefix.parse("10.0.0.0/8"),
                        IpPrefix.parse("10.1.0.0/16"), IpPrefix.parse("10.2.0.0/16"))));
        List<GenlRequest> m = WgNetlinkCodec.set(FAMILY, "wg0", c, 150);
        assertEquals(2, m.size());
        assertEquals(Golden.hex("set_device_split_1"), bytes(m.get(0)));
        assertEquals(Golden.hex("set_device_split_2"), bytes(m.get(1)));
    }

    @Test
    void set_thousandsOfPeersAndAllowedIps_fitTheBudget_andReassembleToTheSameChanges() {
        List<PeerConfig> peers = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            List<IpPrefix> ips = new ArrayList<>();
            int n = i % 50 == 0 ? 400 : i % 3; // a few peers with more allowed IPs than one message holds
            for (int j = 0; j < n; j++) {
                ips.add(j % 2 == 0 ? IpPrefix.parse("10." + (i % 250) + "." + (j / 250) + "." + (j % 250) + "/32")
                        : IpPrefix.parse("fd00:" + Integer.toHexString(i) + "::" + Integer.toHexString(j) + "/128"));
            }
            PeerConfig p = PeerConfig.of(Keys.generate().publicKey()).withReplaceAllowedIps(i % 2 == 0)
                    .withAllowedIps(ips);
            if (i % 7 == 0) {
                p = p.withEndpoint(new InetSocketAddress("fd00::" + Integer.toHexString(i + 1), 51820))
                        .withPersistentKeepalive(25).withPresharedKey(Keys.generatePreshared());
            }
            peers.add(i % 11 == 5 ? PeerConfig.removal(p.publicKey()) : p.withUpdateOnly(i % 13 == 0));
        }
        DeviceConfig c = DeviceConfig.unchanged().withPrivateKey(Keys.generate().privateKey()).withListenPort(9)
                .withReplacePeers(true).withPeers(peers);
        List<GenlRequest> m = WgNetlinkCodec.set(FAMILY, "wg-big", c, DEFAULT_BUDGET);
        assertTrue(m.size() > 10, "split into " + m.size());
        List<GenlAttributes> parsed = new ArrayList<>();
        for (GenlRequest r : m) {
            byte[] b = r.toBytes(1, 0);
            assertTrue(b.length <= DEFAULT_BUDGET, b.length + " bytes");
            parsed.add(GenlAttributes.ofMessage(b, 0));
        }
        assertEquals(c, reassemble(parsed));
    }

    /**
     * What the kernel makes of a series of {@code WG_CMD_SET_DEVICE} messages for one device, as changes: device
     * attributes from the first; a peer that starts a message with the public key the previous message ended with
     * continues that peer (its allowed IPs are added; a continuation never carries REPLACE_ALLOWEDIPS).
     */
    static DeviceConfig reassemble(List<GenlAttributes> messages) {
        DeviceConfig c = DeviceConfig.unchanged();
        List<PeerConfig> peers = new ArrayList<>();
        boolean first = true;
        for (GenlAttributes m : messages) {
            assertEquals("wg-big", m.get(WGDEVICE_A_IFNAME).string(), "every message names the device");
            if (first) {
                c = new DeviceConfig(m.has(WGDEVICE_A_PRIVATE_KEY)
                        ? PrivateKey.of(m.get(WGDEVICE_A_PRIVATE_KEY).bytes()) : null,
                        m.has(WGDEVICE_A_LISTEN_PORT) ? m.get(WGDEVICE_A_LISTEN_PORT).u16() : null,
                        m.has(WGDEVICE_A_FWMARK) ? m.get(WGDEVICE_A_FWMARK).u32() : null,
                        m.has(WGDEVICE_A_FLAGS) && (m.get(WGDEVICE_A_FLAGS).u32() & WGDEVICE_F_REPLACE_PEERS) != 0,
                        List.of());
            } else {
                assertTrue(!m.has(WGDEVICE_A_PRIVATE_KEY) && !m.has(WGDEVICE_A_FLAGS), "device attributes once");
            }
            boolean firstInMessage = true;
            for (GenlAttribute e : m.nested(WGDEVICE_A_PEERS).all()) {
                GenlAttributes a = e.nested();
                PublicKey pub = PublicKey.of(a.get(WGPEER_A_PUBLIC_KEY).bytes());
                int flags = a.has(WGPEER_A_FLAGS) ? a.get(WGPEER_A_FLAGS).u32() : 0;
                List<IpPrefix> ips = new ArrayList<>();
                for (GenlAttribute ipe : a.nested(WGPEER_A_ALLOWEDIPS).all()) {
                    GenlAttributes ip = ipe.nested();
                    try {
                        ips.add(IpPrefix.of(InetAddress.getByAddress(ip.get(WGALLOWEDIP_A_IPADDR).bytes()),
                                ip.get(WGALLOWEDIP_A_CIDR_MASK).u8()));
                    } catch (java.net.UnknownHostException ex) {
                        throw new AssertionError(ex);
                    }
                }
                int last = peers.size() - 1;
                if (!first && firstInMessage && last >= 0 && peers.get(last).publicKey().equals(pub)) {
                    assertEquals(0, flags & WGPEER_F_REPLACE_ALLOWEDIPS, "a continuation never replaces again");
                    assertTrue(!a.has(WGPEER_A_ENDPOINT) && !a.has(WGPEER_A_PRESHARED_KEY));
                    List<IpPrefix> all = new ArrayList<>(peers.get(last).allowedIps());
                    all.addAll(ips);
                    peers.set(last, peers.get(last).withAllowedIps(all));
                } else {
                    peers.add(new PeerConfig(pub, (flags & WGPEER_F_REMOVE_ME) != 0,
                            (flags & WGPEER_F_UPDATE_ONLY) != 0,
                            a.has(WGPEER_A_PRESHARED_KEY) ? PresharedKey.of(a.get(WGPEER_A_PRESHARED_KEY).bytes())
                                    : null,
                            a.has(WGPEER_A_ENDPOINT) ? parseSockaddr(a.get(WGPEER_A_ENDPOINT).bytes()) : null,
                            a.has(WGPEER_A_PERSISTENT_KEEPALIVE_INTERVAL)
                                    ? a.get(WGPEER_A_PERSISTENT_KEEPALIVE_INTERVAL).u16() : null,
                            (flags & WGPEER_F_REPLACE_ALLOWEDIPS) != 0, ips));
                }
                firstInMessage = false;
            }
            first = false;
        }
        return c.withPeers(peers);
    }

    @Test
    void dump_overTwoMessages_mergesTheCutPeer_andReadsEveryAttribute() {
        DeviceState d = WgNetlinkCodec.parseDump(List.of(GenlAttributes.ofMessage(Golden.bytes("dump_reply_1"), 0),
                GenlAttributes.ofMessage(Golden.bytes("dump_reply_2"), 0)), "wg0");
        assertEquals("wg0", d.name());
        assertEquals(7, d.ifindex());
        assertEquals(PrivateKey.of(key(1)), d.privateKey());
        assertEquals(PublicKey.of(key(0x61)), d.publicKey());
        assertEquals(51820, d.listenPort());
        assertEquals(0, d.fwmark());
        assertEquals(2, d.peers().size());
        PeerState p = d.peers().get(0);
        assertEquals(PublicKey.of(key(0xa0)), p.publicKey());
        assertEquals(PresharedKey.of(key(0x40)), p.presharedKey());
        assertEquals(Instant.ofEpochSecond(1764000000L, 123456789), p.lastHandshake());
        assertEquals(25, p.persistentKeepalive());
        assertEquals(5_000_000_000L, p.txBytes());
        assertEquals(1234, p.rxBytes());
        assertEquals(1, p.protocolVersion());
        assertEquals(new InetSocketAddress("192.0.2.1", 51820), p.endpoint());
        assertEquals(List.of(IpPrefix.parse("10.1.0.0/24"), IpPrefix.parse("fd00::/64")), p.allowedIps());
        PeerState q = d.peers().get(1);
        assertEquals(PublicKey.of(key(0xc0)), q.publicKey());
        assertTrue(q.presharedKey().isNone());
        assertNull(q.lastHandshake());
        assertEquals(51821, q.endpoint().getPort());
        assertEquals(3, ((Inet6Address) q.endpoint().getAddress()).getScopeId());
        assertTrue(q.allowedIps().isEmpty());
    }

    @Test
    void sockaddr_roundTrips() {
        for (InetSocketAddress a : List.of(new InetSocketAddress("192.0.2.1", 1), new InetSocketAddress("fd00::1",
                65535))) {
            assertEquals(a, parseSockaddr(sockaddr(a)));
        }
        assertEquals(16, sockaddr(new InetSocketAddress("192.0.2.1", 1)).length);
        assertEquals(28, sockaddr(new InetSocketAddress("fd00::1", 1)).length);
    }

    @Test
    void aDeviceWithoutChanges_isStillOneMessage() {
        assertEquals(1, WgNetlinkCodec.set(FAMILY, "wg0", DeviceConfig.unchanged(), DEFAULT_BUDGET).size());
    }
}
