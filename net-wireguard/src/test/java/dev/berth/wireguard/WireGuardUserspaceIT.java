package dev.berth.wireguard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.exec.Command;
import dev.berth.exec.CommandResult;
import dev.berth.netlink.IpPrefix;
import dev.berth.netlink.Netns;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two "hosts" (network namespaces joined by a veth underlay), each with a wireguard-go device started by
 * {@link UserspaceLinks} and configured by {@link UapiControl} with keys from {@link Keys} and {@link KeyStore}: a ping
 * crosses the tunnel, the read-back state shows the handshake and the traffic, a key rotation under a 50 Hz ping stream
 * loses at most two packets, and a preshared key is set, proven to take part in the handshake, and cleared.
 * Namespaces and daemons are removed afterwards, also when a step fails.
 */
@Tag("integration")
class WireGuardUserspaceIT {
    private static final int PORT = 51820;

    @TempDir
    Path tmp;

    private WgTestEnv env;
    private String nsA;
    private String nsB;
    private String wgA;
    private String wgB;
    private UserspaceLinks linksA;
    private UserspaceLinks linksB;
    private final UapiControl uapi = new UapiControl();
    private String underA;
    private String underB;
    private String tunA;
    private String tunB;

    @BeforeEach
    void hosts() {
        WgTestEnv.prepare();
        env = new WgTestEnv();
        int net = Integer.parseInt(env.tag, 16) % 250;
        underA = "10.231." + net + ".1";
        underB = "10.231." + net + ".2";
        tunA = "10.232." + net + ".1";
        tunB = "10.232." + net + ".2";
        nsA = env.netns("a");
        nsB = env.netns("b");
        WgTestEnv.underlay(nsA, underA + "/24", nsB, underB + "/24");
        wgA = env.iface("a");
        wgB = env.iface("b");
        linksA = new UserspaceLinks(WgTestEnv.wireguardGo(), Netns.named(nsA), tmp.resolve("run"), uapi,
                Duration.ofSeconds(20));
        linksB = new UserspaceLinks(WgTestEnv.wireguardGo(), Netns.named(nsB), tmp.resolve("run"), uapi,
                Duration.ofSeconds(20));
    }

    @AfterEach
    void tearDown() {
        try {
            if (linksA != null) {
                linksA.delete(wgA);
            }
            if (linksB != null) {
                linksB.delete(wgB);
            }
        } finally {
            env.close();
        }
        assertFalse(Files.exists(uapi.socket(wgA)), "socket of " + wgA + " left behind");
        assertFalse(Files.exists(uapi.socket(wgB)), "socket of " + wgB + " left behind");
    }

    @Test
    void tunnel_carriesPing_reportsHandshakeAndTraffic_survivesKeyRotation_andUsesAPresharedKey() throws Exception {
        // devices, started in their namespaces
        linksA.create(wgA);
        linksB.create(wgB);
        assertTrue(linksA.exists(wgA) && linksB.exists(wgB));
        assertTrue(linksA.process(wgA).isPresent(), "the daemon's PID is known");
        assertEquals(1, Command.of("ip", "-n", nsA, "-o", "link", "show", wgA).check().stdout().lines().count(),
                "the TUN link is in the namespace");

        // keys: stored root-only, public key checked against wg(8)
        KeyStore store = new KeyStore(tmp.resolve("keys"));
        KeyPair a = store.loadOrCreate("a");
        KeyPair b = store.loadOrCreate("b");
        assertEquals(a.publicKey().base64(), Command.of("wg", "pubkey")
                .stdin((a.privateKey().base64() + "\n").getBytes(StandardCharsets.US_ASCII)).check().stdout().trim());
        String wgGenerated = Command.of("wg", "genkey").check().stdout().trim();
        assertEquals(Command.of("wg", "pubkey").stdin((wgGenerated + "\n").getBytes(StandardCharsets.US_ASCII))
                .check().stdout().trim(), PrivateKey.fromBase64(wgGenerated).publicKey().base64());

        // configure both ends over the UAPI
        uapi.configure(wgA, DeviceConfig.unchanged().withPrivateKey(a.privateKey()).withListenPort(PORT)
                .withPeer(PeerConfig.of(b.publicKey()).withEndpoint(new InetSocketAddress(underB, PORT))
                        .withAllowedIps(List.of(IpPrefix.parse(tunB + "/32")))));
        uapi.configure(wgB, DeviceConfig.unchanged().withPrivateKey(b.privateKey()).withListenPort(PORT)
                .withPeer(PeerConfig.of(a.publicKey()).withEndpoint(new InetSocketAddress(underA, PORT))
                        .withAllowedIps(List.of(IpPrefix.parse(tunA + "/32")))));
        assertEquals(a.publicKey().base64(), Command.of("wg", "show", wgA, "public-key").check().stdout().trim(),
                "wg(8) reads the device we configured");
        address(nsA, wgA, tunA);
        address(nsB, wgB, tunB);

        // a ping through the tunnel, and the state read back
        Instant before = Instant.now().minusSeconds(1);
        assertTrue(ping(nsA, tunB, 3).ok(), "ping through the tunnel");
        DeviceState stateA = uapi.read(wgA);
        assertEquals(a.publicKey(), stateA.publicKey());
        assertEquals(PORT, stateA.listenPort());
        PeerState bSeenByA = stateA.peer(b.publicKey()).orElseThrow();
        assertNotNull(bSeenByA.lastHandshake(), "a handshake happened");
        assertFalse(bSeenByA.lastHandshake().isBefore(before), bSeenByA.toString());
        assertTrue(bSeenByA.rxBytes() > 0 && bSeenByA.txBytes() > 0, bSeenByA.toString());
        PeerState aSeenByB = uapi.read(wgB).peer(a.publicKey()).orElseThrow();
        assertEquals(new InetSocketAddress(underA, PORT), aSeenByB.endpoint());
        assertTrue(aSeenByB.rxBytes() > 0 && aSeenByB.txBytes() > 0, aSeenByB.toString());

        // rotate A's key, then B's, each under a ping stream
        KeyPair a2 = rotateUnderPing("A", wgA, wgB, "a", store);
        rotateUnderPing("B", wgB, wgA, "b", store);
        assertEquals(a2.publicKey(), uapi.read(wgA).publicKey());
        assertEquals(List.of(a2.publicKey()), uapi.read(wgB).peers().stream().map(PeerState::publicKey).toList(),
                "the old key is gone from the peer");
        KeyPair b2 = store.load("b").orElseThrow();

        // a preshared key on both ends: still passes traffic, and survives a fresh handshake (a third rotation)
        PresharedKey psk = Keys.generatePreshared();
        setPsk(wgA, b2.publicKey(), psk);
        setPsk(wgB, a2.publicKey(), psk);
        assertEquals(psk, uapi.read(wgA).peer(b2.publicKey()).orElseThrow().presharedKey());
        assertEquals(psk, uapi.read(wgB).peer(a2.publicKey()).orElseThrow().presharedKey());
        KeyPair a3 = rotateUnderPing("A, with a preshared key", wgA, wgB, "a", store);
        assertEquals(psk, uapi.read(wgB).peer(a3.publicKey()).orElseThrow().presharedKey(), "carried over");

        // it takes part in the handshake: with it on one end only, a fresh session cannot be made
        setPsk(wgB, a3.publicKey(), PresharedKey.NONE);
        renewPeer(wgA, b2.publicKey(), underB, tunB, psk);
        assertFalse(ping(nsA, tunB, 2).ok(), "mismatched preshared keys must not make a session");
        setPsk(wgB, a3.publicKey(), psk);
        assertTrue(pingWithin(nsA, tunB, Duration.ofSeconds(20)), "matching again: WireGuard retries within 5 s");

        // cleared on both ends
        setPsk(wgA, b2.publicKey(), PresharedKey.NONE);
        setPsk(wgB, a3.publicKey(), PresharedKey.NONE);
        assertTrue(uapi.read(wgA).peer(b2.publicKey()).orElseThrow().presharedKey().isNone());
        renewPeer(wgA, b2.publicKey(), underB, tunB, PresharedKey.NONE);
        assertTrue(pingWithin(nsA, tunB, Duration.ofSeconds(20)), "a fresh session without a preshared key");

        // stop: the daemon goes, and its socket and link with it
        assertTrue(linksA.delete(wgA));
        assertFalse(linksA.exists(wgA));
        assertFalse(Files.exists(uapi.socket(wgA)));
        assertFalse(Command.of("ip", "-n", nsA, "link", "show", wgA).run().ok(), "the TUN link went with it");
        assertFalse(linksA.delete(wgA), "deleting twice is not an error");
    }

    /**
     * Rotates {@code self}'s key with {@link KeyRotation#rotate} while {@code nsA} pings {@code tunB} 250 times at
     * 50 Hz; at most two pings may be lost. The new key is stored first. Prints what it measured.
     */
    private KeyPair rotateUnderPing(String who, String self, String peer, String keyName, KeyStore store)
            throws Exception {
        Path out = tmp.resolve("ping-" + System.nanoTime() + ".txt");
        Process stream = new ProcessBuilder("ip", "netns", "exec", nsA, "ping", "-n", "-i", "0.02", "-c", "250",
                "-W", "1", tunB).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        Thread.sleep(1500);
        KeyPair next = Keys.generate();
        store.store(keyName, next.privateKey());
        long t0 = System.nanoTime();
        KeyRotation.rotate(uapi, self, next, List.of(new KeyRotation.Remote(uapi, peer)));
        long tookMs = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(stream.waitFor(60, TimeUnit.SECONDS), "the ping stream ended");
        String text = Files.readString(out);
        Matcher m = Pattern.compile("(\\d+) packets transmitted, (\\d+) received").matcher(text);
        assertTrue(m.find(), text);
        int sent = Integer.parseInt(m.group(1));
        int received = Integer.parseInt(m.group(2));
        System.out.printf("key rotation of %s: %d ms for the three steps; ping stream %d sent, %d received%n", who,
                tookMs, sent, received);
        assertTrue(sent - received <= 2, "lost " + (sent - received) + " of " + sent + " pings while rotating " + who);
        assertEquals(next.publicKey(), uapi.read(self).publicKey());
        assertEquals(next, store.load(keyName).orElseThrow());
        return next;
    }

    private void setPsk(String iface, PublicKey peer, PresharedKey psk) {
        uapi.configure(iface, DeviceConfig.unchanged().withPeer(PeerConfig.of(peer).withUpdateOnly(true)
                .withPresharedKey(psk)));
    }

    /** Removes and re-adds a peer, so that the next packet needs a fresh handshake. */
    private void renewPeer(String iface, PublicKey peer, String endpoint, String tunnelIp, PresharedKey psk) {
        uapi.configure(iface, DeviceConfig.unchanged().withPeer(PeerConfig.removal(peer)));
        uapi.configure(iface, DeviceConfig.unchanged().withPeer(PeerConfig.of(peer).withPresharedKey(psk)
                .withEndpoint(new InetSocketAddress(endpoint, PORT))
                .withAllowedIps(List.of(IpPrefix.parse(tunnelIp + "/32")))));
    }

    private static void address(String ns, String iface, String ip) {
        Command.of("ip", "-n", ns, "addr", "add", ip + "/24", "dev", iface).check();
        Command.of("ip", "-n", ns, "link", "set", iface, "up").check();
    }

    private static CommandResult ping(String ns, String target, int count) {
        return Command.of("ip", "netns", "exec", ns, "ping", "-n", "-c", Integer.toString(count), "-W", "2", target)
                .timeout(Duration.ofSeconds(30)).run();
    }

    private static boolean pingWithin(String ns, String target, Duration limit) throws IOException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline) {
            if (Command.of("ip", "netns", "exec", ns, "ping", "-n", "-c", "1", "-W", "1", target)
                    .timeout(Duration.ofSeconds(10)).run().ok()) {
                return true;
            }
        }
        return false;
    }
}
