package dev.berth.wireguard.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.exec.Command;
import dev.berth.exec.CommandResult;
import dev.berth.kv.KeyValue;
import dev.berth.kv.KvStore;
import dev.berth.kv.KvStores;
import dev.berth.lab.Lab;
import dev.berth.lab.LabHost;
import dev.berth.lab.LabSpec;
import dev.berth.packaging.Bundle;
import dev.berth.packaging.BundleBuilder;
import dev.berth.packaging.ModuleBundles;
import dev.berth.packaging.PluginInstaller;
import dev.berth.packaging.RuntimeImage;
import dev.berth.packaging.ServiceInstaller;
import dev.berth.wireguard.PeerState;
import dev.berth.wireguard.UapiControl;
import dev.berth.wireguard.WgTestEnv;
import dev.berth.wireguard.driver.WireGuardDriver;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * berth/wireguard as a managed plugin (with its bundled wireguard-go) on three real dockerd hosts sharing etcd, with
 * berth/ipam. The network is created on every host with the same command. Checked here: reachability between all
 * hosts and the MTU, a capture on the underlay that holds only WireGuard's UDP and never a marker that crossed, a
 * plugin crash under a 20/s ping (the wireguard-go keeper holds the devices meanwhile), a keeper restart (the
 * plugin repairs the bare devices), a key rotation requested through etcd as {@code berth wireguard rotate-key}
 * does, a dead host's peer leaving the others within 15 s, and a network deletion that leaves no device, rule, route
 * or record behind. Tests run in order and build on each other.
 */
@Tag("lab")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WireGuardLabIT {
    private static final Lab LAB = Lab.standard().reporting(System.out::println);
    private static final String PLUGIN = "berth/wireguard:latest";
    private static final String MAIN_CLASS = "dev.berth.wireguard.driver.WireGuardPlugin";
    private static final String NET = "wg";
    private static final String SUBNET = "10.87.0.0/24";
    private static final String HOSTS_PREFIX = "wireguard/hosts/subnet=10.87.0.0_24/";
    private static final String ENDPOINTS_PREFIX = "wireguard/endpoints/subnet=10.87.0.0_24/";
    private static final Pattern WG_DEV = Pattern.compile("\\b(wg[0-9a-f]{10})\\b");
    private static final Duration CONVERGE = Duration.ofSeconds(20);
    private static List<LabHost> hosts;
    private static KvStore store;
    private static boolean peersHow;

    @BeforeAll
    static void up() {
        WgTestEnv.installWireguardGo();
        if (!Files.isExecutable(Path.of("/usr/bin/tshark"))) {
            Command.of("apt-get", "install", "-y", "-q", "tshark")
                    .env(Map.of("DEBIAN_FRONTEND", "noninteractive")).timeout(Duration.ofMinutes(10)).check();
        }
        Bundle wireguard = ModuleBundles.build(Path.of(""), "net-wireguard", Path.of("target/e2e-wireguard"));
        assertTrue(Files.isExecutable(wireguard.dir().resolve("rootfs/usr/bin/wireguard-go")),
                "wireguard-go in the plugin's rootfs");
        Bundle keeper = ModuleBundles.build(Path.of(""), "target/plugin-keeper/lib", "net-wireguard",
                "src/main/keeper/plugin.json", Path.of("target/e2e-wireguard-keeper"));
        Bundle ipam = new BundleBuilder(RuntimeImage.fromBuildJdk()).buildFromInput(
                Path.of("../net-ipam/target/plugin"), Path.of("target/e2e-ipam-bundle"));
        hosts = LAB.up(new LabSpec(3, true), (h, kv) -> {
            PluginInstaller installer = new PluginInstaller(h.docker());
            installer.ensure(ipam, Map.of("BERTH_KV", kv.orElseThrow(), "docker-socket.source",
                    h.dockerSocket().toString()));
            new ServiceInstaller(h.docker()).ensure(keeper, Map.of()); // first, as berth up does
            installer.ensure(wireguard, Map.of("BERTH_KV", kv.orElseThrow()));
        });
        store = KvStores.open(LAB.kvUrl().orElseThrow());
    }

    @AfterAll
    static void down() {
        if (store != null) {
            store.close();
        }
        LAB.down();
    }

    private static LabHost h(int i) {
        return hosts.get(i - 1);
    }

    @Test
    @Order(1)
    void containersOnThreeHosts_pingEachOther_withTheUnderlayMtuMinus60() throws Exception {
        for (LabHost h : hosts) {
            h.docker().command("network", "create", "-d", PLUGIN, "--ipam-driver", "berth/ipam:latest",
                    "--ipam-opt", "berth.scope=global", "--subnet", SUBNET, NET)
                    .timeout(Duration.ofMinutes(1)).check();
            h.docker().check("run", "-d", "--restart", "always", "--name", "c" + h.index(), "--network", NET,
                    "berth/testbox", "sleep", "3600");
        }
        int underlay = mtu(h(1).inNetns("ip", "-o", "link", "show", "eth0").check().stdout());
        int container = Integer.parseInt(h(1).docker().check("exec", "c1", "cat", "/sys/class/net/eth0/mtu").strip());
        int device = mtu(h(1).inNetns("ip", "-o", "link", "show", wgDevice(h(1))).check().stdout());
        System.out.printf("MTU: underlay %d, WireGuard device %d, container %d%n", underlay, device, container);
        for (LabHost h : hosts) {
            String dev = wgDevice(h);
            assertTrue(Files.exists(h.stateDir().resolve("wireguard/keeper/want/" + dev)), h.name() + ": " + dev
                    + " is not wanted of the keeper");
            assertTrue(Files.exists(h.stateDir().resolve("wireguard/sockets/" + dev + ".sock")), h.name() + ": "
                    + dev + "'s socket is not the keeper's");
            // the data plane of every container's traffic is weighted above one container (plugin.json's cpu)
            assertEquals("4096", h.docker().check("inspect", "--format", "{{.HostConfig.CpuShares}}",
                    "berth-wireguard-go").strip(), h.name() + ": the keeper's CPU weight");
        }
        assertEquals(underlay - 60, container, "container MTU = underlay MTU - 60");
        assertEquals(underlay - 60, device, "WireGuard device MTU = underlay MTU - 60");
        for (LabHost from : hosts) {
            for (LabHost to : hosts) {
                if (from != to) {
                    awaitPing(from, "c" + from.index(), ip(to, "c" + to.index()), CONVERGE);
                }
            }
        }
    }

    @Test
    @Order(2)
    void theUnderlayCarriesOnlyWireGuardUdp_andNeverTheMarker() throws Exception {
        Set<String> endpoints = hostRecords().values().stream().map(r -> field(r, "endpoint"))
                .collect(Collectors.toSet());
        Set<String> underlays = hosts.stream().map(LabHost::underlayAddress).collect(Collectors.toSet());
        System.out.println("WireGuard endpoints: " + endpoints);
        assertEquals(3, endpoints.size(), "one host record per host: " + endpoints);
        String marker = "BERTH-WG-MARKER-" + UUID.randomUUID();
        String c2 = ip(h(2), "c2");
        Path dir = Files.createDirectories(Path.of("target/wg-lab-capture"));
        Path pcap = dir.resolve("underlay-h1.pcap").toAbsolutePath();
        Path received = dir.resolve("received.txt").toAbsolutePath();
        Files.deleteIfExists(pcap);
        Files.deleteIfExists(received);
        // world-writable directory: dumpcap may drop privileges before writing
        Command.of("chmod", "0777", dir.toAbsolutePath().toString()).check();
        Path tsharkLog = dir.resolve("tshark.log");
        Process tshark = new ProcessBuilder(h(1).inNetns("tshark", "-i", "eth0", "-F", "pcap", "-a", "duration:12",
                "-w", pcap.toString()).argv()).redirectErrorStream(true).redirectOutput(tsharkLog.toFile()).start();
        Process listener = null;
        try {
            await("tshark capturing on h1's eth0", Duration.ofSeconds(20), () ->
                    readOrEmpty(tsharkLog).contains("Capturing on"));
            Thread.sleep(500);
            // -i with an open pipe: busybox nc -l closes the connection when its stdin ends (it would be /dev/null)
            listener = new ProcessBuilder(h(2).docker().command("exec", "-i", "c2", "nc", "-l", "-p", "7777").argv())
                    .redirectErrorStream(true).redirectOutput(received.toFile()).start();
            Thread.sleep(1_000);
            CommandResult send = h(1).docker().command("exec", "-i", "c1", "nc", c2, "7777")
                    .stdin((marker + "\n").getBytes(StandardCharsets.US_ASCII)).timeout(Duration.ofSeconds(5)).run();
            System.out.println("sender: exit " + send.exitCode() + " " + send.stdout() + send.stderr());
            await("c2 received the marker", Duration.ofSeconds(10), () -> readOrEmpty(received).contains(marker));
        } finally {
            if (listener != null) {
                listener.destroy();
            }
            h(2).docker().command("exec", "c2", "pkill", "-f", "nc -l -p 7777").run();
        }
        assertTrue(tshark.waitFor(30, java.util.concurrent.TimeUnit.SECONDS), "tshark stopped");
        assertTrue(Files.size(pcap) > 24, "a capture was written: " + readOrEmpty(tsharkLog));
        byte[] bytes = Files.readAllBytes(pcap);
        assertFalse(indexOf(bytes, marker.getBytes(StandardCharsets.US_ASCII)) >= 0,
                "the marker appears in clear on the underlay");

        String fields = Command.of("tshark", "-r", pcap.toString(), "-T", "fields", "-E", "separator=|",
                "-e", "frame.protocols", "-e", "ipv6.src", "-e", "ip.src", "-e", "ip.dst", "-e", "ip.proto", "-e", "udp.srcport",
                "-e", "udp.dstport", "-e", "tcp.srcport", "-e", "tcp.dstport").timeout(Duration.ofSeconds(60))
                .check().stdout();
        int wireguard = 0;
        int h1h2 = 0;
        int etcd = 0;
        int arp = 0;
        int linkLocal = 0;
        List<String> other = new ArrayList<>();
        for (String line : fields.lines().toList()) {
            String[] f = (line + "||||||||||").split("\\|", -1);
            String protocols = f[0];
            if (protocols.contains(":arp")) {
                arp++;
                continue;
            }
            if (protocols.contains(":ipv6:icmpv6") && line.contains("fe80:")) {
                // the underlay interfaces' own IPv6 link-local neighbour discovery (router solicitations to ff02::2)
                linkLocal++;
                continue;
            }
            String src = f[2];
            String dst = f[3];
            if ("6".equals(f[4]) && ("10.99.0.254".equals(src) && "2379".equals(f[7])
                    || "10.99.0.254".equals(dst) && "2379".equals(f[8]))) {
                etcd++;
                continue;
            }
            boolean udpBetweenHosts = "17".equals(f[4]) && underlays.contains(src) && underlays.contains(dst)
                    && (endpoints.contains(src + ":" + f[5]) || endpoints.contains(dst + ":" + f[6]));
            if (udpBetweenHosts) {
                wireguard++;
                if (Set.of(src, dst).equals(Set.of(h(1).underlayAddress(), h(2).underlayAddress()))) {
                    h1h2++;
                }
            } else {
                other.add(line);
            }
        }
        System.out.printf("capture on h1's underlay: %d WireGuard UDP frames (%d between h1 and h2), %d etcd, %d ARP,"
                + " %d IPv6 link-local ND, %d other%n", wireguard, h1h2, etcd, arp, linkLocal, other.size());
        assertTrue(other.isEmpty(), "frames other than WireGuard UDP, etcd and ARP on the underlay:\n"
                + String.join("\n", other));
        assertTrue(h1h2 > 0, "the marker crossed between h1 and h2 as WireGuard UDP");
    }

    @Test
    @Order(3)
    void aPluginCrash_underA20PerSecondPing_losesAtMostOnePing_theKeeperHoldsTheDevice() throws Exception {
        String c2 = ip(h(2), "c2");
        long before = pluginPid(h(1));
        List<Long> wgBefore = h(1).processes("wireguard-go " + wgDevice(h(1)));
        assertEquals(1, wgBefore.size(), "one wireguard-go serves the device: " + wgBefore);
        Process ping = new ProcessBuilder(inContainer(h(1), "c1", "ping", "-i", "0.05", "-c", "200", c2).argv())
                .redirectErrorStream(true).start();
        Thread.sleep(1_500);
        long killed = System.nanoTime();
        Command.of("kill", "-KILL", Long.toString(before)).check();
        await("Docker restarted berth/wireguard on h1", Duration.ofSeconds(60), () -> {
            long now = pluginPidOrZero(h(1));
            return now != 0 && now != before;
        });
        System.out.printf("plugin process back %.1f s after the kill%n", (System.nanoTime() - killed) / 1e9);
        String out = new String(ping.getInputStream().readAllBytes());
        ping.waitFor();
        Matcher m = Pattern.compile("(\\d+) packets transmitted, (\\d+) received").matcher(out);
        assertTrue(m.find(), out);
        int lost = Integer.parseInt(m.group(1)) - Integer.parseInt(m.group(2));
        Matcher seq = Pattern.compile("icmp_seq=(\\d+)").matcher(out);
        int lastSeq = 0;
        while (seq.find()) {
            lastSeq = Math.max(lastSeq, Integer.parseInt(seq.group(1)));
        }
        System.out.printf("plugin crash and restart on h1: %d of %s pings lost (at 20/s: %.2f s), last reply seq %d%n",
                lost, m.group(1), lost * 0.05, lastSeq);
        assertTrue(lastSeq >= 195, "the traffic came back before the ping ended (last reply seq " + lastSeq + ")\n"
                + out);
        assertTrue(lost <= 1, "pings lost while the plugin restarted: " + lost + "\n" + out);
        assertEquals(wgBefore, h(1).processes("wireguard-go " + wgDevice(h(1))),
                "the same wireguard-go process serves the device after the plugin's restart");
        // the restarted plugin serves: a new container on h1 joins and reaches h2
        h(1).docker().check("run", "-d", "--name", "late1", "--network", NET, "berth/testbox", "sleep", "3600");
        awaitPing(h(1), "late1", c2, CONVERGE);
        awaitPing(h(2), "c2", ip(h(1), "late1"), CONVERGE);
    }

    @Test
    @Order(4)
    void aKeeperRestart_isRepairedByThePlugin_andTrafficComesBack() throws Exception {
        String c2 = ip(h(2), "c2");
        String dev = wgDevice(h(1));
        Process ping = new ProcessBuilder(inContainer(h(1), "c1", "ping", "-i", "0.05", "-c", "400", c2).argv())
                .redirectErrorStream(true).start();
        Thread.sleep(1_000);
        h(1).docker().command("restart", "-t", "1", "berth-wireguard-go").timeout(Duration.ofMinutes(1)).check();
        String out = new String(ping.getInputStream().readAllBytes());
        ping.waitFor();
        PingResult r = PingResult.of(out);
        System.out.printf("keeper restart on h1: %d of %d pings lost (at 20/s: %.2f s), last reply seq %d%n",
                r.lost(), r.sent(), r.lost() * 0.05, r.lastSeq());
        assertTrue(r.lastSeq() >= 395, "traffic came back after the keeper's restart (last reply seq "
                + r.lastSeq() + ")\n" + out);
        assertEquals(1, h(1).processes("wireguard-go " + dev).size(), "one wireguard-go serves " + dev);
    }

    @Test
    @Order(5)
    void aKeyRotationRequestedThroughTheStore_underA20PerSecondPing_losesAtMostAFewPings() throws Exception {
        String c2 = ip(h(2), "c2");
        String hostId = Files.readString(h(1).stateDir().resolve("host-id")).strip();
        String keyBefore = hostRecords().entrySet().stream().filter(e -> e.getKey().endsWith("/" + hostId))
                .map(e -> field(e.getValue(), "publicKey")).findFirst().orElseThrow();
        Process ping = new ProcessBuilder(inContainer(h(1), "c1", "ping", "-i", "0.05", "-c", "200", c2).argv())
                .redirectErrorStream(true).start();
        Thread.sleep(1_000);
        String id = "lab-" + UUID.randomUUID();
        store.put(WireGuardDriver.ROTATE_REQUESTS + hostId, ("{\"id\":\"" + id + "\",\"state\":\"requested\"}")
                .getBytes(StandardCharsets.UTF_8));
        long asked = System.nanoTime();
        await("the rotation on h1 is done", Duration.ofSeconds(60), () -> store.get(WireGuardDriver.ROTATE_STATUS
                + hostId).map(KeyValue::text).filter(t -> t.contains(id) && t.contains("\"done\"")).isPresent());
        double seconds = (System.nanoTime() - asked) / 1e9;
        String out = new String(ping.getInputStream().readAllBytes());
        ping.waitFor();
        PingResult r = PingResult.of(out);
        String keyAfter = hostRecords().entrySet().stream().filter(e -> e.getKey().endsWith("/" + hostId))
                .map(e -> field(e.getValue(), "publicKey")).findFirst().orElseThrow();
        System.out.printf("key rotation of h1 over etcd: done %.1f s after the request, %d of %d pings lost%n",
                seconds, r.lost(), r.sent());
        assertNotEquals(keyBefore, keyAfter, "h1 publishes its new key");
        assertTrue(peers(h(2), wgDevice(h(2))).contains(keyAfter), "h2 has h1's new key as its peer");
        assertFalse(peers(h(2), wgDevice(h(2))).contains(keyBefore), "h2 dropped h1's old key");
        assertTrue(r.lost() <= 5, "pings lost during the rotation: " + r.lost() + "\n" + out);
    }

    @Test
    @Order(6)
    void aDeadHostsPeer_leavesTheOtherHostsWithin15Seconds() throws Exception {
        String h3Key = hostRecords().values().stream()
                .filter(r -> field(r, "endpoint").startsWith(h(3).underlayAddress() + ":"))
                .map(r -> field(r, "publicKey")).findFirst().orElseThrow();
        String dev1 = wgDevice(h(1));
        String dev2 = wgDevice(h(2));
        assertTrue(peers(h(1), dev1).contains(h3Key) && peers(h(2), dev2).contains(h3Key),
                "h3 is a peer before: " + peers(h(1), dev1));
        long killed = System.nanoTime();
        for (String needle : List.of("dockerd", MAIN_CLASS, "DeviceKeeperMain", "wireguard-go")) {
            for (long pid : h(3).processes(needle)) {
                Command.of("kill", "-KILL", Long.toString(pid)).run();
            }
        }
        await("h3's peer gone from h1's and h2's WireGuard devices", Duration.ofSeconds(30), () ->
                !peers(h(1), dev1).contains(h3Key) && !peers(h(2), dev2).contains(h3Key));
        double seconds = (System.nanoTime() - killed) / 1e9;
        System.out.printf("a dead host's peer left both WireGuard devices %.1f s after the kill%n", seconds);
        assertTrue(seconds <= 15, "took " + seconds + " s");
        awaitPing(h(1), "c1", ip(h(2), "c2"), CONVERGE);
    }

    @Test
    @Order(7)
    void deletingTheNetwork_leavesNoDeviceRuleRouteOrRecord() throws Exception {
        h(1).docker().check("rm", "-f", "c1", "late1");
        h(2).docker().check("rm", "-f", "c2");
        for (LabHost h : List.of(h(1), h(2))) {
            String dev = wgDevice(h);
            Set<String> tables = new HashSet<>();
            Matcher t = Pattern.compile("lookup (\\S+)").matcher(h.inNetns("ip", "rule").check().stdout());
            while (t.find()) {
                if (!Set.of("local", "main", "default").contains(t.group(1))) {
                    tables.add(t.group(1));
                }
            }
            assertFalse(tables.isEmpty(), h.name() + ": the network's policy table before the deletion");
            h.docker().command("network", "rm", NET).timeout(Duration.ofMinutes(1)).check();
            String links = h.inNetns("ip", "-o", "link").check().stdout();
            assertFalse(links.contains(dev) || links.contains(" wv") || links.contains(": wg"),
                    h.name() + " kept devices:\n" + links);
            String rules = h.inNetns("ip", "rule").check().stdout();
            assertFalse(rules.contains("iif wv") || rules.contains("iif wg")
                    || tables.stream().anyMatch(n -> rules.contains("lookup " + n)), h.name() + " kept rules:\n"
                    + rules);
            for (String n : tables) {
                String routes = h.inNetns("ip", "route", "show", "table", n).run().stdout();
                assertTrue(routes.isBlank(), h.name() + " kept routes in table " + n + ":\n" + routes);
            }
            assertTrue(h.processes("wireguard-go " + dev).isEmpty(), h.name() + " kept wireguard-go for " + dev);
            System.out.printf("%s: %s, tables %s removed%n", h.name(), dev, tables);
        }
        assertTrue(store.list(HOSTS_PREFIX).entries().isEmpty(), "host records left: " + store.list(HOSTS_PREFIX)
                .entries().stream().map(KeyValue::key).toList());
        assertTrue(store.list(ENDPOINTS_PREFIX).entries().isEmpty(), "endpoint records left: "
                + store.list(ENDPOINTS_PREFIX).entries().stream().map(KeyValue::key).toList());
    }

    // ---- helpers

    /** What {@code ping -c N} printed: sent, received, and the highest sequence number that got a reply. */
    private record PingResult(int sent, int received, int lastSeq) {
        static PingResult of(String out) {
            Matcher m = Pattern.compile("(\\d+) packets transmitted, (\\d+) received").matcher(out);
            assertTrue(m.find(), out);
            Matcher seq = Pattern.compile("icmp_seq=(\\d+)").matcher(out);
            int last = 0;
            while (seq.find()) {
                last = Math.max(last, Integer.parseInt(seq.group(1)));
            }
            return new PingResult(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), last);
        }

        int lost() {
            return sent - received;
        }
    }

    private static String ip(LabHost h, String container) {
        return h.docker().check("inspect", "--format", "{{.NetworkSettings.Networks." + NET + ".IPAddress}}",
                container);
    }

    private static int mtu(String ipLink) {
        Matcher m = Pattern.compile("\\bmtu (\\d+)").matcher(ipLink);
        assertTrue(m.find(), ipLink);
        return Integer.parseInt(m.group(1));
    }

    /** The network's WireGuard device on host {@code h}, from {@code ip -o link} in its namespace. */
    private static String wgDevice(LabHost h) {
        String links = h.inNetns("ip", "-o", "link").check().stdout();
        Matcher m = WG_DEV.matcher(links);
        assertTrue(m.find(), h.name() + " has no WireGuard device:\n" + links);
        return m.group(1);
    }

    /**
     * The peers' public keys (base64) on device {@code dev} of host {@code h}: {@code wg show DEV peers} when the UAPI
     * socket is where wg(8) looks, else over the UAPI socket inside the plugin's root (wireguard-go runs in the
     * plugin's container, so its socket is in the plugin's /var/run/wireguard).
     */
    private static Set<String> peers(LabHost h, String dev) {
        CommandResult wg = h.inNetns("wg", "show", dev, "peers").timeout(Duration.ofSeconds(10)).run();
        if (wg.ok()) {
            if (!peersHow) {
                peersHow = true;
                System.out.println("peers read with: wg show " + dev + " peers (in " + h.name() + "'s netns)");
            }
            return wg.stdout().lines().map(String::strip).filter(s -> !s.isEmpty()).collect(Collectors.toSet());
        }
        Path keeperSockets = h.stateDir().resolve("wireguard/sockets");
        if (Files.exists(keeperSockets.resolve(dev + ".sock"))) {
            if (!peersHow) {
                peersHow = true;
                System.out.println("peers read over the keeper's UAPI socket in " + keeperSockets);
            }
            return new UapiControl(keeperSockets, Duration.ofSeconds(5)).read(dev).peers().stream()
                    .map(PeerState::publicKey).map(k -> k.base64()).collect(Collectors.toSet());
        }
        long pid = pluginPid(h);
        if (!peersHow) {
            peersHow = true;
            System.out.println("peers read over the UAPI socket in the plugin's root: wg show said "
                    + wg.stderr().strip());
        }
        Path dir = Path.of("/proc/" + pid + "/root/var/run/wireguard");
        return new UapiControl(dir, Duration.ofSeconds(5)).read(dev).peers().stream()
                .map(PeerState::publicKey).map(k -> k.base64()).collect(Collectors.toSet());
    }

    /** The network's host records, key to JSON text. */
    private static Map<String, String> hostRecords() {
        return store.list(HOSTS_PREFIX).entries().stream().collect(Collectors.toMap(KeyValue::key, KeyValue::text));
    }

    private static String field(String json, String name) {
        Matcher m = Pattern.compile("\"" + name + "\"\\s*:\\s*\"([^\"]*)\"").matcher(json);
        assertTrue(m.find(), name + " in " + json);
        return m.group(1);
    }

    /** A command in a container's network namespace, with the lab machine's own tools (iputils ping). */
    private static Command inContainer(LabHost h, String container, String... argv) {
        String pid = h.docker().check("inspect", "-f", "{{.State.Pid}}", container);
        List<String> full = new ArrayList<>(List.of("nsenter", "-t", pid, "-n"));
        full.addAll(List.of(argv));
        return Command.of(full).timeout(Duration.ofSeconds(60));
    }

    private static void awaitPing(LabHost h, String container, String target, Duration limit) throws Exception {
        await(h.name() + "/" + container + " pings " + target, limit, () ->
                inContainer(h, container, "ping", "-c", "1", "-W", "1", target).run().ok());
    }

    private static long pluginPid(LabHost h) {
        long pid = pluginPidOrZero(h);
        assertNotEquals(0, pid, "no berth/wireguard process on " + h.name());
        return pid;
    }

    private static long pluginPidOrZero(LabHost h) {
        List<Long> pids = h.processes(MAIN_CLASS);
        return pids.isEmpty() ? 0 : pids.get(0);
    }

    private static String readOrEmpty(Path f) {
        try {
            return Files.exists(f) ? Files.readString(f, StandardCharsets.ISO_8859_1) : "";
        } catch (java.io.IOException e) {
            return "";
        }
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private static void await(String what, Duration limit, java.util.function.BooleanSupplier condition)
            throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + limit.toSeconds() + " s waiting: " + what);
            }
            Thread.sleep(200);
        }
    }
}
