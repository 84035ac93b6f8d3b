package dev.berth.wireguard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.berth.exec.Command;
import dev.berth.exec.CommandResult;
import dev.berth.host.api.network.CreateEndpointRequest;
import dev.berth.host.api.network.CreateNetworkRequest;
import dev.berth.host.api.network.EndpointInterface;
import dev.berth.host.api.network.EndpointRequest;
import dev.berth.host.api.network.IpamData;
import dev.berth.host.api.network.JoinRequest;
import dev.berth.host.api.network.NetworkRequest;
import dev.berth.kv.KvStore;
import dev.berth.kv.KvStores;
import dev.berth.kv.Lease;
import dev.berth.netlink.NetlinkHandle;
import dev.berth.netlink.Netns;
import dev.berth.wireguard.driver.WireGuardDriver;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Key rotation through the store with the berth/wireguard driver on the real kernel with real wireguard-go, in the
 * setting of {@link WireGuardDriverIT} (two host namespaces, their own drivers, one embedded cluster store, two
 * "containers"), on a network with a preshared key: each host rotates its key while a container pings the other at
 * 50 Hz; at most 10 pings (0.2 s: a TCP connection retransmits and goes on) may be lost: the gap is one store round
 * trip between the switch and the peer's commit, measured at 0 to 3 pings. Prints what it measured.
 */
@Tag("integration")
class WireGuardRotationIT {
    /** Where this test's wireguard-go processes keep their pidfiles and logs; stale ones are killed from here. */
    static final Path RUN_DIR = Path.of("/run/berth/wgtest-rotation");
    static final PresharedKey PSK = Keys.generatePreshared();

    @TempDir
    Path tmp;
    WgTestEnv env;
    KvStore cluster;
    final List<AutoCloseable> open = new ArrayList<>();
    final List<UserspaceLinks> allLinks = new ArrayList<>();
    String h1;
    String h2;
    String c1;
    String c2;

    private record Host(String ns, WireGuardDriver driver, UserspaceLinks links, UapiControl uapi, KeyPair keys,
                        Lease lease) {
    }

    @BeforeEach
    void setUp() {
        WgTestEnv.prepare();
        killStale();
        env = new WgTestEnv();
        h1 = env.netns("h1");
        h2 = env.netns("h2");
        c1 = env.netns("c1");
        c2 = env.netns("c2");
        for (String h : List.of(h1, h2)) {
            inNs(h, "echo 1 > /proc/sys/net/ipv6/conf/default/disable_ipv6; echo 1 > /proc/sys/net/ipv6/conf/all/"
                    + "disable_ipv6; echo 1 > /proc/sys/net/ipv4/ip_forward");
        }
        WgTestEnv.underlay(h1, "10.97.0.1/24", h2, "10.97.0.2/24");
        cluster = KvStores.embedded(tmp.resolve("cluster"));
    }

    @AfterEach
    void tearDown() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            try {
                open.get(i).close();
            } catch (Exception e) {
                // go on: the namespaces and daemons below must go anyway
            }
        }
        killStale();
        if (env != null) {
            env.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    /** wireguard-go processes an earlier (or this) run of this test left: by pidfile, command line checked. */
    static void killStale() {
        if (!Files.isDirectory(RUN_DIR)) {
            return;
        }
        try (Stream<Path> files = Files.list(RUN_DIR)) {
            for (Path f : files.toList()) {
                if (f.toString().endsWith(".pid")) {
                    try {
                        long pid = Long.parseLong(Files.readString(f).trim());
                        String cmd = Files.readString(Path.of("/proc/" + pid + "/cmdline"));
                        if (cmd.contains("wireguard-go")) {
                            ProcessHandle.of(pid).ifPresent(p -> {
                                p.destroy();
                                p.onExit().orTimeout(5, TimeUnit.SECONDS).exceptionally(x -> null).join();
                                p.destroyForcibly();
                            });
                        }
                    } catch (IOException | NumberFormatException e) {
                        // gone already
                    }
                }
                Files.deleteIfExists(f);
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void inNs(String ns, String script) {
        Command.of("ip", "netns", "exec", ns, "sh", "-c", script).check();
    }

    private Host host(String ns, String id, String underlay) throws Exception {
        return host(ns, id, underlay, Keys.generate());
    }

    private Host host(String ns, String id, String underlay, KeyPair keys) throws Exception {
        NetlinkHandle nl = NetlinkHandle.open(Netns.named(ns));
        UapiControl uapi = new UapiControl();
        UserspaceLinks links = new UserspaceLinks(WgTestEnv.wireguardGo(), Netns.named(ns), RUN_DIR, uapi,
                Duration.ofSeconds(20));
        Lease lease = cluster.grantLease(Duration.ofSeconds(30));
        KvStore local = KvStores.embedded(tmp.resolve(id));
        KeyStore keyStore = new KeyStore(tmp.resolve(id + "-keys"));
        keyStore.store("host", keys.privateKey());
        WireGuardDriver d = new WireGuardDriver(nl, links, uapi, cluster, local,
                new WireGuardDriver.Settings(id, keys, InetAddress.getByName(underlay), 1500, 51820, 51829, p -> true),
                () -> lease);
        d.useKeyStore(keyStore, "host");
        open.add(nl);
        open.add(local);
        open.add(d);
        allLinks.add(links);
        return new Host(ns, d, links, uapi, keys, lease);
    }

    private static CreateNetworkRequest network(String id) {
        return new CreateNetworkRequest(id, Map.of("com.docker.network.generic", Map.of("berth.network", "wgrot",
                "berth.wireguard.psk", PSK.base64())),
                List.of(new IpamData("BerthGlobal", "10.33.0.0/24", null, Map.of())), List.of());
    }

    /** What Docker does with Join's answer: move SrcName into the sandbox, name it eth0, address it, up. */
    private static void plug(String hostNs, String src, String containerNs, String cidr) {
        Command.of("ip", "-n", hostNs, "link", "set", src, "netns", containerNs).check();
        Command.of("ip", "-n", containerNs, "link", "set", src, "name", "eth0").check();
        Command.of("ip", "-n", containerNs, "addr", "add", cidr, "dev", "eth0").check();
        Command.of("ip", "-n", containerNs, "link", "set", "eth0", "up").check();
    }

    private static void await(String what, Duration limit, BooleanSupplier done) throws InterruptedException {
        long end = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < end) {
            if (done.getAsBoolean()) {
                return;
            }
            Thread.sleep(200);
        }
        assertTrue(done.getAsBoolean(), what);
    }

    private static boolean ping(String from, String to) {
        return Command.of("ip", "netns", "exec", from, "ping", "-c", "1", "-W", "2", to)
                .timeout(Duration.ofSeconds(10)).run().ok();
    }

    @Test
    void eachHostRotatesItsKey_underA50HzPingStream_losingAtMostTwo() throws Exception {
        Host a = host(h1, "rot-h1-" + env.tag, "10.97.0.1");
        Host b = host(h2, "rot-h2-" + env.tag, "10.97.0.2");
        a.driver().createNetwork(network("net-a"));
        b.driver().createNetwork(network("net-b"));
        a.driver().createEndpoint(new CreateEndpointRequest("net-a", "epaaaaaaaaaaaaaa",
                new EndpointInterface("10.33.0.2/24", "", ""), Map.of()));
        b.driver().createEndpoint(new CreateEndpointRequest("net-b", "epbbbbbbbbbbbbbb",
                new EndpointInterface("10.33.0.3/24", "", ""), Map.of()));
        plug(h1, a.driver().join(new JoinRequest("net-a", "epaaaaaaaaaaaaaa", "/x", Map.of())).interfaceName()
                .srcName(), c1, "10.33.0.2/24");
        plug(h2, b.driver().join(new JoinRequest("net-b", "epbbbbbbbbbbbbbb", "/x", Map.of())).interfaceName()
                .srcName(), c2, "10.33.0.3/24");
        String devA = wgDevice(h1);
        String devB = wgDevice(h2);
        await("c1 pings c2 through WireGuard", Duration.ofSeconds(30), () -> ping(c1, "10.33.0.3"));
        assertEquals(PSK, a.uapi().read(devA).peer(b.keys().publicKey()).orElseThrow().presharedKey(),
                "the network's preshared key is on the peer");

        PublicKey newA = rotateUnderPing("h1", a, c1, "10.33.0.2", "10.33.0.3");
        assertEquals(newA, a.uapi().read(devA).publicKey());
        await("h2 has only h1's new key", Duration.ofSeconds(10), () -> {
            DeviceState st = b.uapi().read(devB);
            return st.peers().size() == 1 && st.peer(newA).map(p -> p.allowedIps().toString()
                    .contains("10.33.0.2/32") && p.presharedKey().equals(PSK)).orElse(false);
        });
        PublicKey newB = rotateUnderPing("h2", b, c1, "10.33.0.2", "10.33.0.3");
        await("h1 has only h2's new key", Duration.ofSeconds(10), () -> {
            DeviceState st = a.uapi().read(devA);
            return st.peers().size() == 1 && st.peer(newB).map(p -> p.allowedIps().toString()
                    .contains("10.33.0.3/32") && p.presharedKey().equals(PSK)).orElse(false);
        });
        assertTrue(ping(c2, "10.33.0.2"), "and back");

        a.driver().deleteNetwork(new NetworkRequest("net-a"));
        b.driver().deleteNetwork(new NetworkRequest("net-b"));
    }

    /** Rotates {@code who}'s key while {@code from} pings {@code to} 250 times at 50 Hz; prints and checks the loss. */
    private PublicKey rotateUnderPing(String who, Host rotating, String from, String fromIp, String to)
            throws Exception {
        Path out = tmp.resolve("ping-" + System.nanoTime() + ".txt");
        Process stream = new ProcessBuilder("ip", "netns", "exec", from, "ping", "-n", "-i", "0.02", "-c", "250",
                "-W", "1", to).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        Thread.sleep(1500);
        long t0 = System.nanoTime();
        List<String> steps = new ArrayList<>();
        WireGuardDriver.Rotation r = rotating.driver().rotateKey(Duration.ofSeconds(10),
                m -> steps.add((System.nanoTime() - t0) / 1_000_000 + " ms: " + m));
        long tookMs = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(stream.waitFor(60, TimeUnit.SECONDS), "the ping stream ended");
        String text = Files.readString(out);
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d+) packets transmitted, (\\d+) received")
                .matcher(text);
        assertTrue(m.find(), text);
        int sent = Integer.parseInt(m.group(1));
        int received = Integer.parseInt(m.group(2));
        System.out.printf("key rotation of %s through the store: %d ms (%s); ping stream %d sent, %d received, %d lost"
                + "%n", who, tookMs, String.join("; ", steps), sent, received, sent - received);
        assertEquals(java.util.Set.of(), r.notAnnounced(), "every peer host acked the announce");
        assertTrue(sent - received <= 10, "lost " + (sent - received) + " of " + sent + " pings while rotating " + who);
        return r.newKey();
    }

    private static String read(String ns, String file) {
        return Command.of("ip", "netns", "exec", ns, "cat", file).check().stdout();
    }

    /** The one wg* device in a host namespace. */
    private static String wgDevice(String ns) {
        for (String l : Command.of("ip", "-n", ns, "-o", "link", "show").check().stdout().split("\n")) {
            String[] f = l.split(":\\s+");
            if (f.length > 1 && f[1].startsWith("wg")) {
                return f[1].split("[@:]")[0];
            }
        }
        throw new AssertionError("no wg device in " + ns);
    }
}
