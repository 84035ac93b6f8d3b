package dev.berth.bench;

import dev.berth.bench.overlay.Convergence;
import dev.berth.bench.overlay.Endpoint;
import dev.berth.bench.overlay.Stats;
import dev.berth.bench.overlay.Throughput;
import dev.berth.exec.Command;
import dev.berth.exec.CommandResult;
import dev.berth.lab.Lab;
import dev.berth.lab.LabHost;
import dev.berth.lab.LabSpec;
import dev.berth.packaging.Bundle;
import dev.berth.packaging.BundleBuilder;
import dev.berth.packaging.ModuleBundles;
import dev.berth.packaging.PluginInstaller;
import dev.berth.packaging.RuntimeImage;
import dev.berth.packaging.ServiceInstaller;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Issue 7's benchmark: berth/wireguard against a WireGuard tunnel configured by hand with the same implementation
 * (the machine's {@code /usr/bin/wireguard-go} and {@code wg}) between the same two lab hosts.
 * <ol>
 * <li>TCP throughput: iperf3 (host binary), 5 s, median of {@code runs} rounds, the order of the four arms turning
 *     round by round (and the median of the per-round ratios beside the ratio of the medians):
 *     <ul>
 *     <li>berth/wireguard: container on h2 to container on h1 ({@code nsenter -t PID -n iperf3});</li>
 *     <li>the anchor, container to container over a tunnel configured by hand: each host's wireguard-go in a
 *         container of its own (the image berth's keeper runs, entrypoint {@code wireguard-go -f DEV}, host
 *         network, NET_ADMIN, /dev/net/tun), so that it is scheduled as berth's is (in a group of its own, as any
 *         service on a real host: a container, or a systemd unit for wg-quick); a Docker bridge network per host
 *         with a subnet of its own, not masqueraded, at the tunnel's MTU; allowed IPs and a route for the other
 *         host's subnet (the shape of Flannel's WireGuard backend);</li>
 *     <li>the same tunnel host to host (its tunnel addresses): no containers and no forwarding, the bare
 *         tunnel;</li>
 *     <li>a second tunnel host to host whose wireguard-go is started from this JVM and daemonizes into its
 *         session. On this 2-core machine that session is one scheduling group (an autogroup) holding both
 *         "hosts'" wireguard-go and the iperf3 client, which makes the same binary 4 to 28% faster (in the
 *         runs of 2026-11-24) than in a group of its own: a placement no two real hosts can have. It was
 *         this benchmark's anchor until 2026-11-24 and stays for comparison.</li>
 *     </ul>
 *     All tunnels get the MTU of berth's wg device on h1.</li>
 * <li>convergence: {@code docker run -d --ip FRESH} on h1 returning, to the first reply on h2 of a pinger already
 *     pinging that address from h2's container ({@link Convergence}, ARP resolved by the pinger: berth/wireguard
 *     answers with proxy ARP from the host-side veth, so a neighbour entry pinned to the container's MAC would be
 *     wrong). The "interface up" propagation figure of OverlayBench is not measured (veth pairs, no bridge).</li>
 * </ol>
 * The hand tunnels, per lab host N (names unique on the machine: wireguard-go's sockets are in the shared
 * /var/run/wireguard):
 * <pre>
 * docker run -d --network host --cap-add NET_ADMIN --device /dev/net/tun -v SOCKDIR:/var/run/wireguard \
 *     --entrypoint /usr/bin/wireguard-go KEEPER_IMAGE -f bwc&lt;pid&gt;hN; ln -s SOCKDIR/... /var/run/wireguard/
 * nsenter --net=/var/run/netns/berth-hN wireguard-go bwb&lt;pid&gt;hN       # the second one: daemonizes
 * nsenter --net=... wg set bwb&lt;pid&gt;hN private-key KEYFILE listen-port 5100N \
 *     peer PEER_PUB endpoint PEER_UNDERLAY:5100M allowed-ips 10.87.0.M/32
 * nsenter --net=... ip addr add 10.87.0.N/24 dev bwb&lt;pid&gt;hN
 * nsenter --net=... ip link set bwb&lt;pid&gt;hN mtu BERTH_MTU up
 * </pre>
 * Run as root from the repository root: {@code ./berth bench wireguard [runs] [convergenceRuns]} (defaults 5 and
 * 20). berth/wireguard runs as {@code berth up} installs it: its devices served by the wireguard-go keeper.
 */
public final class WireGuardBench {
    private static final Path HOME = Path.of(System.getProperty("berth.home",
            System.getenv().getOrDefault("BERTH_HOME", "."))).toAbsolutePath();
    private static final int IPERF_SECONDS = 5;
    private static final String NET = "wgnet";
    private static final String PREFIX = "10.86.0.";
    private static final String HAND_PREFIX = "10.87.0.";
    private static final int HAND_PORT = 51000;
    private static final String HAND_C_PREFIX = "10.85.0.";
    private static final int HAND_C_PORT = 51100;
    private static final String HAND_NET_PREFIX = "10.84.";
    private static final String HAND_NET = "handnet";
    private static final String KEEPER = "berth-wireguard-go";
    private static final String HAND_CONTAINER = "berth-bench-hand-wg";

    private WireGuardBench() {
    }

    public static void main(String[] args) throws IOException {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        int convergenceRuns = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        if (!Files.isExecutable(Path.of("/usr/bin/wireguard-go")) || !Files.isExecutable(Path.of("/usr/bin/wg"))) {
            System.err.println("needs wireguard-go (bookworm-backports: apt-get install -t bookworm-backports "
                    + "wireguard-go) and wireguard-tools; ./berth test installs them");
            System.exit(2);
        }
        Lab lab = Lab.standard().reporting(m -> System.err.println("lab: " + m));
        Bundle wireguard = ModuleBundles.build(HOME.resolve("net-wireguard"), "net-wireguard",
                HOME.resolve("target/bench-wireguard"));
        Bundle keeper = ModuleBundles.build(HOME.resolve("net-wireguard"), "target/plugin-keeper/lib",
                "net-wireguard", "src/main/keeper/plugin.json", HOME.resolve("target/bench-wireguard-keeper"));
        Bundle ipam = new BundleBuilder(RuntimeImage.fromBuildJdk()).buildFromInput(
                HOME.resolve("net-ipam/target/plugin"), HOME.resolve("target/bench-wireguard-ipam"));
        Path keys = Files.createTempDirectory("berth-wgbench-");
        List<LabHost> hosts = List.of();
        List<String> handC = new ArrayList<>();
        List<String> handS = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        try {
            hosts = lab.up(new LabSpec(2, true), (h, kv) -> {
                PluginInstaller installer = new PluginInstaller(h.docker());
                installer.ensure(ipam, Map.of("BERTH_KV", kv.orElseThrow(),
                        "docker-socket.source", h.dockerSocket().toString()));
                new ServiceInstaller(h.docker()).ensure(keeper, Map.of()); // as berth up: the keeper first
                installer.ensure(wireguard, Map.of("BERTH_KV", kv.orElseThrow()));
            });
            LabHost h1 = hosts.get(0);
            LabHost h2 = hosts.get(1);
            for (LabHost h : hosts) {
                h.docker().command("network", "create", "-d", "berth/wireguard:latest", "--ipam-driver",
                        "berth/ipam:latest", "--ipam-opt", "berth.scope=global", "--subnet", PREFIX + "0/24", NET)
                        .timeout(Duration.ofMinutes(1)).check();
            }
            Endpoint server = Endpoint.start(h1, "srv-wg", NET);
            Endpoint client = Endpoint.start(h2, "cli-wg", NET);
            client.awaitReachable(server.ip(), Duration.ofSeconds(60));

            String berthDev = berthDevice(h1);
            int berthMtu = mtu(h1.inNetns("ip", "-o", "link", "show", "dev", berthDev).check().stdout());
            int containerMtu = mtu(server.inNetns("ip", "-o", "link", "show", "dev", "eth0").check().stdout());
            int underlayMtu = mtu(h1.inNetns("ip", "-o", "link", "show", "dev", "eth0").check().stdout());

            // the two hand tunnels: the same wireguard-go, configured with wg by hand
            long me = ProcessHandle.current().pid() % 100000;
            for (LabHost h : hosts) {
                Files.writeString(keys.resolve(h.name() + ".key"), Command.of("wg", "genkey").check().stdout()
                        .strip() + "\n");
            }
            String image = h1.docker().check("inspect", "--format", "{{.Config.Image}}", KEEPER).strip();
            for (LabHost h : hosts) {
                // in a container of its own on the host, as berth's keeper runs its devices
                String dev = "bwc" + me + h.name();
                handC.add(dev);
                Path socks = Files.createDirectories(keys.resolve("sockets-" + h.name()));
                h.docker().command("run", "-d", "--name", HAND_CONTAINER, "--network", "host", "--cap-add",
                        "NET_ADMIN", "--device", "/dev/net/tun", "-v", socks + ":/var/run/wireguard", "-e",
                        "LOG_LEVEL=error", "--entrypoint", "/usr/bin/wireguard-go", image, "-f", dev)
                        .timeout(Duration.ofMinutes(1)).check();
                Path link = Path.of("/var/run/wireguard", dev + ".sock"); // where wg looks for it
                Files.createDirectories(link.getParent());
                Files.deleteIfExists(link);
                Files.createSymbolicLink(link, socks.resolve(dev + ".sock"));
                awaitSocket(socks.resolve(dev + ".sock"));
                // started from this JVM: wireguard-go daemonizes into this process's session
                String devS = "bwb" + me + h.name();
                handS.add(devS);
                h.inNetns("wireguard-go", devS).timeout(Duration.ofSeconds(30)).check();
            }
            configureHandTunnel(hosts, handC, keys, HAND_C_PREFIX, HAND_C_PORT, berthMtu);
            configureHandTunnel(hosts, handS, keys, HAND_PREFIX, HAND_PORT, berthMtu);
            Endpoint handServer = new Endpoint(h1, "h1 (hand tunnel " + handC.get(0) + ")", "hand",
                    dockerdPid(h1), HAND_C_PREFIX + h1.index());
            Endpoint handClient = new Endpoint(h2, "h2 (hand tunnel " + handC.get(1) + ")", "hand",
                    dockerdPid(h2), HAND_C_PREFIX + h2.index());
            handClient.awaitReachable(handServer.ip(), Duration.ofSeconds(30));
            Endpoint sessServer = new Endpoint(h1, "h1 (hand tunnel " + handS.get(0) + ")", "hand",
                    dockerdPid(h1), HAND_PREFIX + h1.index());
            Endpoint sessClient = new Endpoint(h2, "h2 (hand tunnel " + handS.get(1) + ")", "hand",
                    dockerdPid(h2), HAND_PREFIX + h2.index());
            sessClient.awaitReachable(sessServer.ip(), Duration.ofSeconds(30));
            int handMtu = mtu(h1.inNetns("ip", "-o", "link", "show", "dev", handC.get(0)).check().stdout());
            // containers over the hand tunnel, as an operator wires them by hand (the shape of Flannel's WireGuard
            // backend): a Docker bridge network per host with a subnet of its own, not masqueraded, at the tunnel's
            // MTU, and each host routing the other's subnet into the tunnel
            for (int i = 0; i < hosts.size(); i++) {
                LabHost h = hosts.get(i);
                LabHost peer = hosts.get(1 - i);
                h.docker().command("network", "create", "--subnet", HAND_NET_PREFIX + h.index() + ".0/24", "-o",
                        "com.docker.network.bridge.enable_ip_masquerade=false", "-o",
                        "com.docker.network.driver.mtu=" + berthMtu, "-o", "com.docker.network.bridge.name=bbh"
                        + h.index(), HAND_NET).timeout(Duration.ofMinutes(1)).check();
                h.inNetns("wg", "set", handC.get(i), "peer", publicKey(keys, peer), "allowed-ips", HAND_C_PREFIX
                        + peer.index() + "/32," + HAND_NET_PREFIX + peer.index() + ".0/24").check();
                h.inNetns("ip", "route", "add", HAND_NET_PREFIX + peer.index() + ".0/24", "dev", handC.get(i))
                        .check();
            }
            Endpoint cServer = Endpoint.start(h1, "srv-hand", HAND_NET);
            Endpoint cClient = Endpoint.start(h2, "cli-hand", HAND_NET);
            cClient.awaitReachable(cServer.ip(), Duration.ofSeconds(30));

            List<Double> berthG = new ArrayList<>();
            List<Double> contG = new ArrayList<>();
            List<Double> handG = new ArrayList<>();
            List<Double> sessG = new ArrayList<>();
            List<Long> berthR = new ArrayList<>();
            List<Long> contR = new ArrayList<>();
            List<Long> handR = new ArrayList<>();
            List<Long> sessR = new ArrayList<>();
            for (int r = 0; r < runs; r++) {
                // the order turns round by round, so that no arm always follows the same one
                for (int k = 0; k < 4; k++) {
                    switch ((r + k) % 4) {
                        case 0 -> arm(r, "berth/wireguard, container to container", server, client, berthG, berthR);
                        case 1 -> arm(r, "hand tunnel, container to container", cServer, cClient, contG, contR);
                        case 2 -> arm(r, "hand tunnel, host to host", handServer, handClient, handG, handR);
                        default -> arm(r, "hand tunnel in the bench's session, host to host", sessServer,
                                sessClient, sessG, sessR);
                    }
                }
            }

            Convergence.prepare(client);
            Convergence.Target target = new Convergence.Target(h1, NET, List.of("nsenter", "--net="
                    + h1.netnsPath()), "no-bridge-here");
            List<Double> conv = new ArrayList<>();
            List<Double> convStart = new ArrayList<>();
            List<Double> runMs = new ArrayList<>();
            int host = 100;
            List<String> taken = List.of(server.ip(), client.ip());
            for (int r = 0; r < convergenceRuns; r++, host++) {
                while (taken.contains(PREFIX + host)) {
                    host++; // an address the bench's own containers hold
                }
                Convergence.Sample s = Convergence.once(target, PREFIX + host, client, Convergence.Arp.RESOLVED);
                conv.add(s.millis());
                convStart.add(s.fromStartMillis());
                runMs.add(s.runMillis());
                progress("convergence run %d %s: %.1f ms after docker run -d returned, %.1f ms after it started "
                        + "(it took %.0f ms)", r + 1, PREFIX + host, s.millis(), s.fromStartMillis(), s.runMillis());
            }

            double bm = Stats.median(berthG);
            double cm = Stats.median(contG);
            double hm = Stats.median(handG);
            double sm = Stats.median(sessG);
            System.out.println();
            System.out.println("| figure | berth/wireguard | hand tunnel (same wireguard-go) | ratio | target |");
            System.out.println("|---|---|---|---|---|");
            System.out.println(String.format(Locale.ROOT,
                    "| TCP throughput container to container h2 -> h1, iperf3 %d s, median of %d rounds (Gbit/s); "
                    + "hand: containers on a Docker bridge per host routed over the tunnel | %.2f | %.2f | %.3f "
                    + "| >= 0.95: %s |", IPERF_SECONDS, runs, bm, cm, bm / cm, bm / cm >= 0.95 ? "met" : "NOT met"));
            System.out.println(String.format(Locale.ROOT,
                    "| same, the hand tunnel host to host (no containers, no forwarding) | %.2f | %.2f | %.3f | "
                    + "report |", bm, hm, bm / hm));
            System.out.println(String.format(Locale.ROOT,
                    "| same, a second hand tunnel host to host, its wireguard-go started from the bench, in its "
                    + "session (scheduling group) | %.2f | %.2f | %.3f | report |", bm, sm, bm / sm));
            System.out.println(String.format(Locale.ROOT, "| MTU (berth: wg device / container eth0; hand: wg "
                    + "device) | %d / %d | %d | - | same MTU (hand tunnel set to berth's) |", berthMtu, containerMtu,
                    handMtu));
            double p99 = Stats.percentile(conv, 99);
            System.out.println(String.format(Locale.ROOT, "| convergence p50 (`docker run -d` on h1 returned -> "
                    + "first reply on h2, ARP resolved), %d runs (ms) | %.1f | - | - | report |", convergenceRuns,
                    Stats.percentile(conv, 50)));
            System.out.println(String.format(Locale.ROOT, "| convergence p99, same (ms) | %.1f | - | - | "
                    + "<= 50 ms (as net-overlay): %s |", p99, p99 <= 50 ? "met" : "NOT met"));
            System.out.println();
            System.out.println("berth/wireguard throughput per round (Gbit/s): " + fmt("%.2f", berthG)
                    + "; retransmits " + berthR);
            System.out.println("hand tunnel, containers, per round (Gbit/s):   " + fmt("%.2f", contG)
                    + "; retransmits " + contR);
            System.out.println("hand tunnel, host to host, per round (Gbit/s): " + fmt("%.2f", handG)
                    + "; retransmits " + handR);
            System.out.println("hand tunnel (session) per round (Gbit/s):      " + fmt("%.2f", sessG)
                    + "; retransmits " + sessR);
            System.out.println("underlay MTU " + underlayMtu + "; berth device " + berthDev + " on h1, served by "
                    + servedBy(h1, berthDev));
            System.out.println(String.format(Locale.ROOT, "median of the per-round ratios (berth / hand tunnel in "
                    + "the same round): %.3f container to container, %.3f host to host, %.3f host to host in the "
                    + "session", Stats.median(ratios(berthG, contG)), Stats.median(ratios(berthG, handG)),
                    Stats.median(ratios(berthG, sessG))));
            System.out.println("convergence after `docker run -d` returned, sorted (ms): "
                    + fmt("%.1f", Stats.sorted(conv)));
            System.out.println("convergence after `docker run -d` started, sorted (ms):  "
                    + fmt("%.1f", Stats.sorted(convStart)));
            System.out.println("`docker run -d` took, sorted (ms):                       "
                    + fmt("%.0f", Stats.sorted(runMs)));
            long negative = conv.stream().filter(v -> v < 0).count();
            if (negative > 0) {
                notes.add(negative + " convergence sample(s) are negative: the first reply came before `docker run "
                        + "-d` returned (recorded as is)");
            }
            notes.forEach(n -> System.out.println("note: " + n));
        } finally {
            for (int i = 0; i < hosts.size(); i++) {
                LabHost h = hosts.get(i);
                h.docker().command("rm", "-f", HAND_CONTAINER).run();
                if (i < handS.size()) {
                    h.inNetns("ip", "link", "del", "dev", handS.get(i)).run();
                    for (long pid : h.processes("wireguard-go " + handS.get(i))) {
                        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroy);
                    }
                    Command.of("rm", "-f", "/var/run/wireguard/" + handS.get(i) + ".sock").run();
                }
                if (i < handC.size()) {
                    Command.of("rm", "-f", "/var/run/wireguard/" + handC.get(i) + ".sock").run();
                }
            }
            Command.of("rm", "-rf", keys.toString()).run();
            lab.down();
        }
    }

    /** Equivalent to: {@code wg set DEV private-key K listen-port P peer PUB endpoint PEER:P' allowed-ips IP/32},
     * {@code ip addr add}, {@code ip link set mtu M up} on each of the two hosts. */
    private static void configureHandTunnel(List<LabHost> hosts, List<String> devs, Path keys, String prefix,
                                            int port, int mtu) throws IOException {
        for (int i = 0; i < hosts.size(); i++) {
            LabHost h = hosts.get(i);
            LabHost peer = hosts.get(1 - i);
            String dev = devs.get(i);
            String peerPub = publicKey(keys, peer);
            h.inNetns("wg", "set", dev, "private-key", keys.resolve(h.name() + ".key").toString(),
                    "listen-port", Integer.toString(port + h.index()), "peer", peerPub, "endpoint",
                    peer.underlayAddress() + ":" + (port + peer.index()), "allowed-ips",
                    prefix + peer.index() + "/32").check();
            h.inNetns("ip", "addr", "add", prefix + h.index() + "/24", "dev", dev).check();
            h.inNetns("ip", "link", "set", "dev", dev, "mtu", Integer.toString(mtu), "up").check();
        }
    }

    private static void awaitSocket(Path socket) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!Files.exists(socket)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("wireguard-go made no socket " + socket + " within 30 s");
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    private static void arm(int round, String label, Endpoint server, Endpoint client, List<Double> gbits,
                            List<Long> retransmits) {
        Throughput.Result t = Throughput.measure(server, client, IPERF_SECONDS);
        gbits.add(t.gbits());
        retransmits.add(t.retransmits());
        progress("throughput round %d %s: %.2f Gbit/s (%d retransmits)", round + 1, label, t.gbits(),
                t.retransmits());
    }

    private static String publicKey(Path keys, LabHost h) throws IOException {
        return Command.of("wg", "pubkey").stdin(Files.readAllBytes(keys.resolve(h.name() + ".key"))).check()
                .stdout().strip();
    }

    private static List<Double> ratios(List<Double> a, List<Double> b) {
        List<Double> out = new ArrayList<>();
        for (int i = 0; i < a.size() && i < b.size(); i++) {
            out.add(a.get(i) / b.get(i));
        }
        return out;
    }

    /** Which process started the device's wireguard-go: the keeper (as intended) or the plugin's fallback. */
    private static String servedBy(LabHost h, String dev) {
        for (long pid : h.processes("wireguard-go " + dev)) {
            return ProcessHandle.of(pid).flatMap(ProcessHandle::parent).flatMap(p -> p.info().arguments())
                    .map(a -> List.of(a).contains("dev.berth.wireguard.keeper.DeviceKeeperMain") ? "the keeper"
                            : "another process (" + String.join(" ", List.of(a).subList(Math.max(0, a.length - 1),
                                    a.length)) + ")")
                    .orElse("an unknown process");
        }
        return "no wireguard-go found";
    }

    /** berth/wireguard's device on a host: {@code wg} + 10 hex digits (12 characters). */
    private static String berthDevice(LabHost h) {
        String out = h.inNetns("ip", "-o", "link", "show").check().stdout();
        return out.lines().map(l -> l.split(": ")[1].split("@")[0]).filter(n -> n.matches("wg[0-9a-f]{10}"))
                .findFirst().orElseThrow(() -> new IllegalStateException("no berth wg device on " + h.name()
                        + ":\n" + out));
    }

    private static int mtu(String ipLinkLine) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile(" mtu (\\d+)").matcher(ipLinkLine);
        if (!m.find()) {
            throw new IllegalStateException("no mtu in " + ipLinkLine);
        }
        return Integer.parseInt(m.group(1));
    }

    /** A process in the lab host's network namespace (its dockerd), for {@code nsenter -t PID -n}. */
    private static long dockerdPid(LabHost h) {
        return ProcessHandle.allProcesses()
                .filter(p -> p.info().command().map(c -> c.endsWith("/dockerd")).orElse(false))
                .filter(p -> p.info().arguments().map(a -> List.of(a).contains(h.dockerHost())).orElse(false))
                .findFirst().orElseThrow(() -> new IllegalStateException("no dockerd for " + h.dockerHost()))
                .pid();
    }

    private static String fmt(String format, List<Double> values) {
        return values.stream().map(v -> String.format(Locale.ROOT, format, v)).toList().toString();
    }

    private static void progress(String format, Object... args) {
        System.err.println("bench: " + String.format(Locale.ROOT, format, args));
    }
}
