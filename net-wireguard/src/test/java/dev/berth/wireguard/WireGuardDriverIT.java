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
 * The berth/wireguard driver on the real kernel with real wireguard-go: two hosts as namespaces joined by a veth
 * underlay, each with its own driver bound to its namespace (netlink handle, wireguard-go started inside it), one embedded cluster store, and two "containers" as namespaces whose interfaces the test moves in
 * as Docker would.
 */
@Tag("integration")
class WireGuardDriverIT {
    /** Where this test's wireguard-go processes keep their pidfiles and logs; stale ones are killed from here. */
    static final Path RUN_DIR = Path.of("/run/berth/wgtest-driver");
    static final String MARKER = "BERTH-PLAINTEXT-MARKER-7f3a";

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
        Command.of("which", "tshark").check();
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
        WireGuardDriver d = new WireGuardDriver(nl, links, uapi, cluster, local,
                new WireGuardDriver.Settings(id, keys, InetAddress.getByName(underlay), 1500, 51820, 51829, p -> true),
                () -> lease);
        open.add(nl);
        open.add(local);
        open.add(d);
        allLinks.add(links);
        return new Host(ns, d, links, uapi, keys, lease);
    }

    private static CreateNetworkRequest network(String id) {
        return new CreateNetworkRequest(id, Map.of("com.docker.network.generic", Map.of("berth.network", "wgit")),
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
    void containersOnTwoHosts_talkThroughWireGuard_andTheUnderlayCarriesOnlyItsUdp() throws Exception {
        Host first = host(h1, "it-h1-" + env.tag, "10.97.0.1");
        Host b = host(h2, "it-h2-" + env.tag, "10.97.0.2");
        first.driver().createNetwork(network("net-a"));
        b.driver().createNetwork(network("net-b"));
        first.driver().createEndpoint(new CreateEndpointRequest("net-a", "epaaaaaaaaaaaaaa",
                new EndpointInterface("10.33.0.2/24", "", ""), Map.of()));
        b.driver().createEndpoint(new CreateEndpointRequest("net-b", "epbbbbbbbbbbbbbb",
                new EndpointInterface("10.33.0.3/24", "", ""), Map.of()));
        String srcA = first.driver().join(new JoinRequest("net-a", "epaaaaaaaaaaaaaa", "/x", Map.of()))
                .interfaceName().srcName();
        String srcB = b.driver().join(new JoinRequest("net-b", "epbbbbbbbbbbbbbb", "/x", Map.of()))
                .interfaceName().srcName();
        plug(h1, srcA, c1, "10.33.0.2/24");
        plug(h2, srcB, c2, "10.33.0.3/24");
        String devA = wgDevice(h1);
        assertEquals("1", read(h1, "/proc/sys/net/ipv4/conf/wvepaaaaaaaaa/proxy_arp").trim(),
                "proxy ARP on the host side, set over netlink");
        await("h1's device has h2 as a peer with 10.33.0.3/32", Duration.ofSeconds(20),
                () -> first.uapi().read(devA).peer(b.keys().publicKey())
                        .map(p -> p.allowedIps().toString().contains("10.33.0.3/32")).orElse(false));
        assertEquals("1440", read(h1, "/sys/class/net/" + devA + "/mtu").trim(), "underlay 1500 - 60");
        assertEquals("1440", read(c1, "/sys/class/net/eth0/mtu").trim(), "the container side too");
        await("c1 pings c2 through WireGuard", Duration.ofSeconds(30), () -> ping(c1, "10.33.0.3"));
        assertTrue(ping(c2, "10.33.0.2"), "and back");

        // a plugin restart: wireguard-go stops with the plugin's container; the new driver restores the device
        first.driver().close();
        assertTrue(first.links().delete(devA));
        assertFalse(ping(c1, "10.33.0.3"), "no tunnel while the plugin is down");
        Host a = host(h1, "it-h1-" + env.tag, "10.97.0.1", first.keys());
        a.driver().restore();
        assertEquals(devA, wgDevice(h1));
        assertEquals(51820, a.uapi().read(devA).listenPort(), "the same port");
        assertEquals(first.keys().publicKey(), a.uapi().read(devA).publicKey(), "the same key");
        await("c1 pings c2 again after the restart", Duration.ofSeconds(30), () -> ping(c1, "10.33.0.3"));

        // the underlay, captured while the marker crosses: only UDP to or from the WireGuard ports, never the marker
        Path pcap = Path.of("/tmp/berth-wgtest-" + env.tag + ".pcap");
        Process capture = new ProcessBuilder("ip", "netns", "exec", h1, "tshark", "-q", "-i", "eth0", "-w",
                pcap.toString()).redirectErrorStream(true).redirectOutput(tmp.resolve("tshark.log").toFile()).start();
        try {
            await("tshark capturing", Duration.ofSeconds(30), () -> {
                try {
                    return Files.readString(tmp.resolve("tshark.log")).contains("Capturing on");
                } catch (IOException e) {
                    return false;
                }
            });
            Process server = new ProcessBuilder("ip", "netns", "exec", c2, "busybox", "nc", "-l", "-p", "7777")
                    .redirectErrorStream(true).redirectOutput(tmp.resolve("nc.out").toFile()).start();
            Thread.sleep(500);
            Command.of("ip", "netns", "exec", c1, "sh", "-c", "echo " + MARKER + " | busybox nc -w 2 10.33.0.3 7777")
                    .timeout(Duration.ofSeconds(15)).run();
            server.waitFor(5, TimeUnit.SECONDS);
            server.destroy();
            assertTrue(Files.readString(tmp.resolve("nc.out")).contains(MARKER), "the marker arrived in c2");
            assertTrue(ping(c1, "10.33.0.3"));
            Thread.sleep(1000);
        } finally {
            capture.destroy();
            capture.waitFor(10, TimeUnit.SECONDS);
        }
        byte[] raw = Files.readAllBytes(pcap);
        assertFalse(new String(raw, StandardCharsets.ISO_8859_1).contains(MARKER), "the marker is never in clear");
        CommandResult fields = Command.of("tshark", "-r", pcap.toString(), "-T", "fields", "-e", "ip.proto",
                "-e", "udp.srcport", "-e", "udp.dstport", "-Y", "ip").check();
        List<String> lines = fields.stdout().lines().filter(l -> !l.isBlank()).toList();
        assertTrue(lines.size() >= 4, "packets were captured: " + lines.size());
        for (String l : lines) {
            String[] f = l.split("\t");
            boolean wgUdp = f[0].equals("17") && f.length == 3
                    && (wgPort(f[1]) || wgPort(f[2]));
            if (!wgUdp) {
                fail("the underlay carried something other than WireGuard's UDP: " + l);
            }
        }
        Files.deleteIfExists(pcap);

        // a removed endpoint leaves the other host: its allowed IP and route
        b.driver().leave(new EndpointRequest("net-b", "epbbbbbbbbbbbbbb"));
        b.driver().deleteEndpoint(new EndpointRequest("net-b", "epbbbbbbbbbbbbbb"));
        await("10.33.0.3 gone from h1", Duration.ofSeconds(15), () ->
                !Command.of("ip", "-n", h1, "route", "show", "table", "all").run().stdout().contains("10.33.0.3")
                        && a.uapi().read(devA).peer(b.keys().publicKey())
                        .map(p -> p.allowedIps().isEmpty()).orElse(true));

        // host death: h2's lease ends (its plugin and daemon are gone); its peer leaves h1 within 15 s
        b.driver().close();
        b.lease().close();
        long died = System.nanoTime();
        await("h2's peer gone from h1", Duration.ofSeconds(15),
                () -> a.uapi().read(devA).peer(b.keys().publicKey()).isEmpty());
        System.out.printf("h2's peer left h1 %d ms after its lease ended%n", (System.nanoTime() - died) / 1_000_000);

        a.driver().leave(new EndpointRequest("net-a", "epaaaaaaaaaaaaaa"));
        a.driver().deleteEndpoint(new EndpointRequest("net-a", "epaaaaaaaaaaaaaa"));
        a.driver().deleteNetwork(new NetworkRequest("net-a"));
        b.driver().deleteNetwork(new NetworkRequest("net-b"));
        assertFalse(a.links().exists(devA), "the device and its wireguard-go are gone");
        String rules = Command.of("ip", "-n", h1, "rule", "show").check().stdout();
        assertFalse(rules.contains("wv") || rules.contains(devA), rules);
    }

    private static boolean wgPort(String p) {
        try {
            int n = Integer.parseInt(p.trim());
            return n >= 51820 && n <= 51829;
        } catch (NumberFormatException e) {
            return false;
        }
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
