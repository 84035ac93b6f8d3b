package dev.berth.overlay.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.exec.Command;
import dev.berth.exec.CommandResult;
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
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * berth/overlay as a managed plugin on three real dockerd hosts sharing etcd, with berth/ipam. Each network is created
 * on every host with the same command. Checked here: reachability between all hosts, a full-size ping with DF set and a
 * long TCP stream with nothing fragmented, isolation between networks, {@code --internal}, a plugin crash that loses
 * at most one ping, a daemon restart, a dead host's endpoints leaving the peers within 15 s, and a network deletion
 * that leaves nothing behind. Tests run in order and build on each other.
 */
@Tag("lab")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OverlayLabIT {
    private static final Lab LAB = Lab.standard().reporting(System.out::println);
    private static final String PLUGIN = "berth/overlay:latest";
    private static final String MAIN_CLASS = "dev.berth.overlay.OverlayPlugin";
    private static final Duration CONVERGE = Duration.ofSeconds(20);
    private static List<LabHost> hosts;
    private static KvStore store;

    @BeforeAll
    static void up() {
        Bundle overlay = ModuleBundles.build(Path.of(""), "net-overlay", Path.of("target/e2e-overlay"));
        Bundle ipam = new BundleBuilder(RuntimeImage.fromBuildJdk()).buildFromInput(
                Path.of("../net-ipam/target/plugin"), Path.of("target/e2e-ipam-bundle"));
        hosts = LAB.up(new LabSpec(3, true), (h, kv) -> {
            PluginInstaller installer = new PluginInstaller(h.docker());
            installer.ensure(ipam, Map.of("BERTH_KV", kv.orElseThrow(), "docker-socket.source",
                    h.dockerSocket().toString()));
            installer.ensure(overlay, Map.of("BERTH_KV", kv.orElseThrow()));
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
    void containersOnThreeHosts_reachEachOther_andTheOutside() throws Exception {
        for (LabHost h : hosts) {
            network(h, "ov", "10.88.0.0/24");
            h.docker().check("run", "-d", "--restart", "always", "--name", "c" + h.index(), "--network", "ov",
                    "berth/testbox", "sleep", "3600");
        }
        assertEquals("1450", h(1).docker().check("exec", "c1", "cat", "/sys/class/net/eth0/mtu"),
                "underlay MTU minus the VXLAN overhead");
        for (LabHost from : hosts) {
            for (LabHost to : hosts) {
                if (from != to) {
                    String target = ip(to, "c" + to.index(), "ov");
                    awaitPing(from, "c" + from.index(), target, CONVERGE);
                }
            }
        }
        // outside access goes through Docker's gateway bridge: the lab's underlay bridge is outside the overlay
        CommandResult out = inContainer(h(1), "c1", "ping", "-c", "2", "-W", "2", "10.99.0.254").run();
        assertTrue(out.ok(), "c1 reaches 10.99.0.254 through docker_gwbridge: " + out.stdout() + out.stderr());
    }

    @Test
    @Order(2)
    void aFullSizePingWithDontFragment_andALongTcpStream_passUnfragmented() throws Exception {
        String c2 = ip(h(2), "c2", "ov");
        CommandResult df = inContainer(h(1), "c1", "ping", "-M", "do", "-s", "1400", "-c", "3", "-W", "2", c2).run();
        assertTrue(df.ok(), "1,400-byte ping with DF: " + df.stdout() + df.stderr());
        CommandResult tooBig = inContainer(h(1), "c1", "ping", "-M", "do", "-s", "1423", "-c", "1", "-W", "2", c2)
                .run();
        assertFalse(tooBig.ok(), "1,451-byte packets exceed the overlay MTU of 1450 and must not pass with DF");

        long[] fragsBefore = {fragments(h(1)), fragments(h(2))};
        Process server = new ProcessBuilder(inContainer(h(2), "c2", "iperf3", "-s", "-1").argv()).start();
        try {
            Thread.sleep(700);
            CommandResult client = inContainer(h(1), "c1", "iperf3", "-c", c2, "-t", "8", "-J")
                    .timeout(Duration.ofSeconds(60)).run();
            assertTrue(client.ok(), client.stdout() + client.stderr());
            long received = jsonLong(client.stdout(), "sum_received", "bytes");
            long retransmits = jsonLong(client.stdout(), "sum_sent", "retransmits");
            System.out.printf("TCP stream c1 -> c2: %,d bytes received in 8 s, %d retransmits%n", received,
                    retransmits);
            assertTrue(received > 50_000_000L, "a long TCP stream flowed: " + received + " bytes");
        } finally {
            server.destroy();
        }
        assertEquals(fragsBefore[0], fragments(h(1)), "h1 fragmented packets on the underlay");
        assertEquals(fragsBefore[1], fragments(h(2)), "h2 fragmented packets on the underlay");
    }

    @Test
    @Order(3)
    void containersOnDifferentNetworks_cannotReachEachOther() throws Exception {
        for (LabHost h : List.of(h(1), h(2))) {
            network(h, "blue", "10.90.0.0/24", "-o", "berth.network=blue");
            network(h, "green", "10.91.0.0/24", "-o", "berth.network=green");
        }
        h(1).docker().check("run", "-d", "--name", "blue1", "--network", "blue", "berth/testbox", "sleep", "3600");
        h(2).docker().check("run", "-d", "--name", "blue2", "--network", "blue", "berth/testbox", "sleep", "3600");
        h(2).docker().check("run", "-d", "--name", "green2", "--network", "green", "berth/testbox", "sleep", "3600");
        assertNotEquals(vni("name=blue"), vni("name=green"));
        awaitPing(h(1), "blue1", ip(h(2), "blue2", "blue"), CONVERGE);
        String green2 = ip(h(2), "green2", "green");
        // even with an address in green's subnet on its interface, blue1 is on another segment: no ARP, no frames
        inContainer(h(1), "blue1", "ip", "addr", "add", "10.91.0.250/24", "dev", "eth0").check();
        CommandResult cross = inContainer(h(1), "blue1", "ping", "-c", "3", "-W", "1", green2).run();
        assertFalse(cross.ok(), "blue1 reached green2 at " + green2 + ": " + cross.stdout());
        CommandResult toOv = inContainer(h(1), "blue1", "ping", "-c", "2", "-W", "1", ip(h(2), "c2", "ov")).run();
        assertFalse(toOv.ok(), "blue1 reached c2 on another overlay network");
    }

    @Test
    @Order(4)
    void anAddressAnotherHostHolds_isRefusedWithAClearError() throws Exception {
        // Docker's default IPAM allocates per host: both hosts hand out 10.95.0.2 first
        for (LabHost h : List.of(h(1), h(2))) {
            h.docker().command("network", "create", "-d", PLUGIN, "--subnet", "10.95.0.0/24", "clash")
                    .timeout(Duration.ofMinutes(1)).check();
        }
        h(1).docker().check("run", "-d", "--name", "clash1", "--network", "clash", "--ip", "10.95.0.2",
                "berth/testbox", "sleep", "3600");
        CommandResult second = h(2).docker().command("run", "-d", "--name", "clash2", "--network", "clash", "--ip",
                "10.95.0.2", "berth/testbox", "sleep", "3600").run();
        assertFalse(second.ok(), "a second container with 10.95.0.2 started on h2");
        assertTrue(second.stderr().contains("address 10.95.0.2 is already used on this network"),
                second.stderr());
        h(2).docker().command("rm", "-f", "clash2").run();
        h(2).docker().check("run", "-d", "--name", "clash3", "--network", "clash", "--ip", "10.95.0.3",
                "berth/testbox", "sleep", "3600");
        awaitPing(h(2), "clash3", "10.95.0.2", CONVERGE);
    }

    @Test
    @Order(5)
    void anInternalNetwork_reachesAcrossHosts_butNotOutside() throws Exception {
        for (LabHost h : List.of(h(1), h(2))) {
            network(h, "sealed", "10.92.0.0/24", "--internal");
            h.docker().check("run", "-d", "--name", "sealed" + h.index(), "--network", "sealed", "berth/testbox",
                    "sleep", "3600");
        }
        awaitPing(h(1), "sealed1", ip(h(2), "sealed2", "sealed"), CONVERGE);
        String routes = inContainer(h(1), "sealed1", "ip", "route").check().stdout();
        assertFalse(routes.contains("default"), "an internal network has no way out: " + routes);
        assertFalse(inContainer(h(1), "sealed1", "ping", "-c", "1", "-W", "1", "10.99.0.254").run().ok());
    }

    @Test
    @Order(6)
    void aDualStackNetwork_carriesIpv6AcrossHosts() throws Exception {
        for (LabHost h : List.of(h(1), h(2))) {
            network(h, "dual", "10.93.0.0/24", "--ipv6", "--subnet", "fd00:93::/64");
            h.docker().check("run", "-d", "--name", "dual" + h.index(), "--network", "dual", "berth/testbox",
                    "sleep", "3600");
        }
        String v6 = h(2).docker().check("inspect", "--format", "{{.NetworkSettings.Networks.dual.GlobalIPv6Address}}",
                "dual2");
        assertTrue(v6.startsWith("fd00:93:"), "dual2 has an address from the IPv6 subnet: '" + v6 + "'");
        await("dual1 pings " + v6 + " over IPv6", CONVERGE, () ->
                inContainer(h(1), "dual1", "ping", "-6", "-c", "1", "-W", "1", v6).run().ok());
    }

    @Test
    @Order(7)
    void aPluginCrash_losesAtMostOnePing() throws Exception {
        String c2 = ip(h(2), "c2", "ov");
        long before = pluginPid(h(1));
        Process ping = new ProcessBuilder(inContainer(h(1), "c1", "ping", "-i", "0.05", "-c", "200", c2).argv())
                .redirectErrorStream(true).start();
        Thread.sleep(1_500);
        Command.of("kill", "-KILL", Long.toString(before)).check();
        await("Docker restarted berth/overlay on h1", Duration.ofSeconds(60), () -> {
            long now = pluginPidOrZero(h(1));
            return now != 0 && now != before;
        });
        String out = new String(ping.getInputStream().readAllBytes());
        ping.waitFor();
        Matcher m = Pattern.compile("(\\d+) packets transmitted, (\\d+) received").matcher(out);
        assertTrue(m.find(), out);
        int lost = Integer.parseInt(m.group(1)) - Integer.parseInt(m.group(2));
        System.out.printf("plugin crash and restart on h1: %s of %s pings lost%n", lost, m.group(1));
        assertTrue(lost <= 1, "pings lost while the plugin restarted: " + lost + "\n" + out);
        // the restarted plugin serves: a new container on h1 joins and reaches h2
        h(1).docker().check("run", "-d", "--name", "late1", "--network", "ov", "berth/testbox", "sleep", "3600");
        awaitPing(h(1), "late1", c2, CONVERGE);
        awaitPing(h(2), "c2", ip(h(1), "late1", "ov"), CONVERGE);
    }

    @Test
    @Order(8)
    void aDaemonRestart_bringsTheHostsContainersBackOnTheOverlay() throws Exception {
        LAB.restartDocker(h(2));
        await("c2 running again after the daemon restart", Duration.ofSeconds(90), () ->
                h(2).docker().command("inspect", "-f", "{{.State.Running}}", "c2").run().stdout().strip()
                        .equals("true"));
        String c2 = ip(h(2), "c2", "ov");
        awaitPing(h(1), "c1", c2, CONVERGE);
        awaitPing(h(2), "c2", ip(h(3), "c3", "ov"), CONVERGE);
        h(2).docker().check("run", "-d", "--name", "fresh2", "--network", "ov", "berth/testbox", "sleep", "3600");
        awaitPing(h(3), "c3", ip(h(2), "fresh2", "ov"), CONVERGE);
        // h2's records are exactly its live endpoints: nothing stale survived the restart
        long h2Records = store.list("overlay/endpoints/subnet=10.88.0.0_24/").entries().stream()
                .filter(kv -> kv.text().contains("\"vtep\":\"" + h(2).underlayAddress() + "\"")).count();
        assertEquals(2, h2Records, "h2's endpoint records on ov (c2, fresh2)");
    }

    @Test
    @Order(9)
    void aDeadHostsEndpoints_leaveEveryPeerWithin15Seconds() throws Exception {
        String c3Mac = h(3).docker().check("inspect", "-f", "{{.NetworkSettings.Networks.ov.MacAddress}}", "c3");
        String c3Ip = ip(h(3), "c3", "ov");
        int vni = vni("subnet=10.88.0.0_24");
        assertTrue(fdb(h(1), vni).contains(c3Mac) && fdb(h(2), vni).contains(c3Mac), "c3 is a peer before: "
                + fdb(h(1), vni));
        long killed = System.nanoTime();
        for (String needle : List.of("dockerd", MAIN_CLASS)) {
            for (long pid : h(3).processes(needle)) {
                Command.of("kill", "-KILL", Long.toString(pid)).run();
            }
        }
        await("c3 gone from h1's and h2's forwarding and neighbour tables", Duration.ofSeconds(30), () ->
                !fdb(h(1), vni).contains(c3Mac) && !fdb(h(2), vni).contains(c3Mac)
                        && !neighbours(h(1), vni).contains(c3Ip + " ") && !neighbours(h(2), vni).contains(c3Ip + " "));
        double seconds = (System.nanoTime() - killed) / 1e9;
        System.out.printf("a dead host's endpoint left both peers' tables %.1f s after the kill%n", seconds);
        assertTrue(seconds <= 15, "took " + seconds + " s");
        awaitPing(h(1), "c1", ip(h(2), "c2", "ov"), CONVERGE);
    }

    @Test
    @Order(10)
    void deletingANetwork_leavesNoDeviceEntryOrRecord() throws Exception {
        int blue = vni("name=blue");
        int green = vni("name=green");
        h(1).docker().check("rm", "-f", "blue1");
        h(2).docker().check("rm", "-f", "blue2", "green2");
        for (LabHost h : List.of(h(1), h(2))) {
            h.docker().check("network", "rm", "blue", "green");
            String links = h.inNetns("ip", "-o", "link").check().stdout();
            for (int v : new int[] {blue, green}) {
                assertFalse(links.contains("vx" + v) || links.contains("bv" + v), h.name() + " kept devices of VNI "
                        + v + ":\n" + links);
            }
        }
        for (String key : List.of("name=blue", "name=green")) {
            assertTrue(store.get("overlay/networks/" + key).isEmpty(), key + " still in the store");
            assertTrue(store.list("overlay/endpoints/" + key + "/").entries().isEmpty(), key + " endpoints still in the store");
        }
        assertTrue(store.get("overlay/vnis/" + blue).isEmpty() && store.get("overlay/vnis/" + green).isEmpty(),
                "VNIs not freed");
    }

    // ---- helpers

    private static void network(LabHost h, String name, String subnet, String... extra) {
        List<String> argv = new java.util.ArrayList<>(List.of("network", "create", "-d", PLUGIN, "--ipam-driver",
                "berth/ipam:latest", "--ipam-opt", "berth.scope=global", "--subnet", subnet));
        argv.addAll(List.of(extra));
        argv.add(name);
        h.docker().command(argv.toArray(String[]::new)).timeout(Duration.ofMinutes(1)).check();
    }

    private static String ip(LabHost h, String container, String network) {
        return h.docker().check("inspect", "--format", "{{.NetworkSettings.Networks." + network + ".IPAddress}}",
                container);
    }

    /** A command in a container's network namespace, with the lab machine's own tools (iputils ping, iperf3). */
    private static Command inContainer(LabHost h, String container, String... argv) {
        String pid = h.docker().check("inspect", "-f", "{{.State.Pid}}", container);
        List<String> full = new java.util.ArrayList<>(List.of("nsenter", "-t", pid, "-n"));
        full.addAll(List.of(argv));
        return Command.of(full).timeout(Duration.ofSeconds(60));
    }

    private static void awaitPing(LabHost h, String container, String target, Duration limit) throws Exception {
        await(h.name() + "/" + container + " pings " + target, limit, () ->
                inContainer(h, container, "ping", "-c", "1", "-W", "1", target).run().ok());
    }

    /** Packets the host's namespace fragmented or reassembled (Ip FragCreates + ReasmReqds in /proc/net/snmp). */
    private static long fragments(LabHost h) {
        List<String> lines = h.inNetns("cat", "/proc/net/snmp").check().stdout().lines()
                .filter(l -> l.startsWith("Ip:")).toList();
        List<String> names = List.of(lines.get(0).split("\\s+"));
        String[] values = lines.get(1).split("\\s+");
        return Long.parseLong(values[names.indexOf("FragCreates")]) + Long.parseLong(values[names.indexOf("ReasmReqds")]);
    }

    private static int vni(String key) {
        String text = store.get("overlay/networks/" + key).orElseThrow().text();
        Matcher m = Pattern.compile("\"vni\"\\s*:\\s*(\\d+)").matcher(text);
        assertTrue(m.find(), text);
        return Integer.parseInt(m.group(1));
    }

    /**
     * The VXLAN device's own forwarding entries (MAC to remote VTEP, the lines with {@code dst}) of {@code vni} on
     * host {@code h}; the bridge's learned entries on the port are left out.
     */
    private static String fdb(LabHost h, int vni) {
        return h.inNetns("bridge", "fdb", "show", "dev", "vx" + vni).run().stdout().lines()
                .filter(l -> l.contains(" dst ")).collect(java.util.stream.Collectors.joining("\n"));
    }

    /** The VXLAN device's neighbour entries (address to MAC) of {@code vni} on host {@code h}. */
    private static String neighbours(LabHost h, int vni) {
        return h.inNetns("ip", "neigh", "show", "dev", "vx" + vni).run().stdout();
    }

    private static long pluginPid(LabHost h) {
        long pid = pluginPidOrZero(h);
        assertNotEquals(0, pid, "no berth/overlay process on " + h.name());
        return pid;
    }

    private static long pluginPidOrZero(LabHost h) {
        List<Long> pids = h.processes(MAIN_CLASS);
        return pids.isEmpty() ? 0 : pids.get(0);
    }

    private static long jsonLong(String json, String object, String field) {
        Matcher m = Pattern.compile("\"" + object + "\"\\s*:\\s*\\{[^}]*?\"" + field + "\"\\s*:\\s*([0-9.e+]+)")
                .matcher(json);
        assertTrue(m.find(), object + "." + field + " in iperf3's output");
        return (long) Double.parseDouble(m.group(1));
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
