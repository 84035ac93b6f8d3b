package dev.berth.wireguard;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.berth.exec.Command;
import dev.berth.exec.CommandResult;
import dev.berth.netlink.Address;
import dev.berth.netlink.NetlinkHandle;
import dev.berth.netlink.Netns;
import dev.berth.netlink.Veth;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * What the WireGuard integration tests need on the machine, and the namespaces they make.
 *
 * <ul>
 *   <li>wireguard-go and wg(8): installed from Debian's bookworm-backports suite when missing or older than the
 *       backports build (v0.0.20230223, 8x faster here than bookworm's own), the suite added to apt's sources with
 *       the Debian mirror those already use.</li>
 *   <li>Names: namespaces {@code berth-wgtest-TAG-*}, interfaces {@code bwgtTAG*} (unique on the machine: the UAPI
 *       sockets of every namespace share /var/run/wireguard). What an earlier, interrupted run left with these prefixes
 *       is removed first: its wireguard-go processes (by PID, after checking their command line), their sockets, and
 *       its namespaces.</li>
 * </ul>
 */
public final class WgTestEnv implements AutoCloseable {
    static final String NETNS_PREFIX = "berth-wgtest-";
    static final String IFACE_PREFIX = "bwgt";
    static final Path SOCKET_DIR = UapiControl.DEFAULT_SOCKET_DIR;
    private static final String BACKPORTS_MIN = "0.0.20230223";
    private static boolean prepared;

    final String tag = Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000, 0x10000));
    private final List<String> namespaces = new ArrayList<>();

    static void assumeRoot() {
        assumeTrue("0".equals(Command.of("id", "-u").run().stdout().trim()),
                "WireGuard integration tests need root (namespaces, TUN devices)");
    }

    /** Root, the tools, no leftovers: once per JVM. */
    static synchronized void prepare() {
        assumeRoot();
        if (!prepared) {
            removeStale();
            installWireguardGo();
            prepared = true;
        }
    }

    static Path wireguardGo() {
        return Backends.findBinary("wireguard-go", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"))
                .orElseThrow(() -> new IllegalStateException("wireguard-go is not installed"));
    }

    // ---- installation

    /** Also used by the lab test ({@code dev.berth.wireguard.lab.WireGuardLabIT}). */
    public static void installWireguardGo() {
        if (haveCurrentTools()) {
            return;
        }
        String codename = osRelease("VERSION_CODENAME");
        if ("bookworm".equals(codename)) {
            addBackports();
            Command.of("apt-get", "update", "-q").timeout(Duration.ofMinutes(5)).check();
            Command.of("apt-get", "install", "-y", "-q", "-t", "bookworm-backports", "wireguard-go",
                    "wireguard-tools").env(java.util.Map.of("DEBIAN_FRONTEND", "noninteractive"))
                    .timeout(Duration.ofMinutes(10)).check();
        } else {
            Command.of("apt-get", "install", "-y", "-q", "wireguard-go", "wireguard-tools")
                    .env(java.util.Map.of("DEBIAN_FRONTEND", "noninteractive")).timeout(Duration.ofMinutes(10)).run();
        }
        if (!haveCurrentTools()) {
            throw new IllegalStateException("could not install wireguard-go >= v" + BACKPORTS_MIN + " and wg(8)");
        }
    }

    private static boolean haveCurrentTools() {
        if (Backends.findBinary("wg", System.getenv().getOrDefault("PATH", "/usr/bin:/bin")).isEmpty()) {
            return false;
        }
        CommandResult v;
        try {
            v = Command.of("wireguard-go", "--version").timeout(Duration.ofSeconds(10)).run();
        } catch (RuntimeException e) {
            return false;
        }
        Matcher m = Pattern.compile("v(\\d+\\.\\d+\\.\\d+)").matcher(v.stdout() + v.stderr());
        return m.find() && m.group(1).compareTo(BACKPORTS_MIN) >= 0;
    }

    /** Adds bookworm-backports with the mirror the machine's Debian sources already use, unless some source has it. */
    private static void addBackports() {
        List<Path> sources = aptSources();
        String mirror = null;
        for (Path f : sources) {
            String text = read(f);
            if (Pattern.compile("(?m)(^Suites:.*\\bbookworm-backports\\b|^deb\\s.*\\sbookworm-backports\\s)")
                    .matcher(text).find()) {
                return;
            }
            if (mirror == null) {
                mirror = mirrorOf(text);
            }
        }
        if (mirror == null) {
            mirror = "http://deb.debian.org/debian";
        }
        String keyring = "/usr/share/keyrings/debian-archive-keyring.gpg";
        String entry = "# added by Berth's WireGuard tests: wireguard-go v0.0.20230223 (bookworm's is 8x slower)\n"
                + "Types: deb\nURIs: " + mirror + "\nSuites: bookworm-backports\nComponents: main\n"
                + (Files.exists(Path.of(keyring)) ? "Signed-By: " + keyring + "\n" : "");
        try {
            Files.writeString(Path.of("/etc/apt/sources.list.d/berth-bookworm-backports.sources"), entry);
        } catch (IOException e) {
            throw new IllegalStateException("cannot add bookworm-backports: " + e.getMessage(), e);
        }
    }

    /** The URI of the entry that carries the plain {@code bookworm} suite, in either source format. */
    static String mirrorOf(String text) {
        for (String block : text.split("\n\\s*\n")) {
            Matcher uris = Pattern.compile("(?m)^URIs:\\s*(\\S+)").matcher(block);
            Matcher suites = Pattern.compile("(?m)^Suites:(.*)$").matcher(block);
            if (uris.find() && suites.find() && List.of(suites.group(1).trim().split("\\s+")).contains("bookworm")) {
                return uris.group(1);
            }
        }
        Matcher one = Pattern.compile("(?m)^deb\\s+(?:\\[[^]]*]\\s+)?(\\S+)\\s+bookworm\\s").matcher(text);
        return one.find() ? one.group(1) : null;
    }

    private static List<Path> aptSources() {
        List<Path> out = new ArrayList<>();
        if (Files.exists(Path.of("/etc/apt/sources.list"))) {
            out.add(Path.of("/etc/apt/sources.list"));
        }
        try (Stream<Path> d = Files.list(Path.of("/etc/apt/sources.list.d"))) {
            d.filter(p -> p.toString().endsWith(".list") || p.toString().endsWith(".sources")).sorted()
                    .forEach(out::add);
        } catch (IOException e) {
            // no such directory: only sources.list
        }
        return out;
    }

    private static String osRelease(String key) {
        for (String line : read(Path.of("/etc/os-release")).split("\n")) {
            if (line.startsWith(key + "=")) {
                return line.substring(key.length() + 1).replace("\"", "").trim();
            }
        }
        return "";
    }

    private static String read(Path f) {
        try {
            return Files.readString(f, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    // ---- leftovers of earlier runs

    static void removeStale() {
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            procs.filter(p -> p.getFileName().toString().matches("\\d+")).forEach(p -> {
                String[] argv = read(p.resolve("cmdline")).split("\0");
                if (argv.length == 2 && argv[0].endsWith("wireguard-go") && argv[1].startsWith(IFACE_PREFIX)) {
                    ProcessHandle.of(Long.parseLong(p.getFileName().toString())).ifPresent(ProcessHandle::destroy);
                }
            });
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        try (Stream<Path> socks = Files.list(SOCKET_DIR)) {
            socks.filter(s -> s.getFileName().toString().startsWith(IFACE_PREFIX)).forEach(s -> {
                try {
                    Files.deleteIfExists(s);
                } catch (IOException ignored) {
                    // reported by the test that trips over it
                }
            });
        } catch (IOException e) {
            // no socket directory yet
        }
        for (String ns : Command.of("ip", "netns", "list").run().stdout().split("\n")) {
            String name = ns.split("\\s")[0];
            if (name.startsWith(NETNS_PREFIX)) {
                Command.of("ip", "netns", "del", name).run();
            }
        }
    }

    // ---- namespaces

    /** A new namespace with loopback up; deleted by {@link #close()}. */
    String netns(String role) {
        String name = NETNS_PREFIX + tag + "-" + role;
        Command.of("ip", "netns", "add", name).check();
        namespaces.add(name);
        Command.of("ip", "-n", name, "link", "set", "lo", "up").check();
        return name;
    }

    /** Joins two namespaces by a veth pair {@code eth0}, addressed {@code aAddr} and {@code bAddr} (CIDR). */
    static void underlay(String a, String aAddr, String b, String bAddr) {
        try (NetlinkHandle ha = NetlinkHandle.open(Netns.named(a));
             NetlinkHandle hb = NetlinkHandle.open(Netns.named(b))) {
            ha.linkAdd(Veth.pair("eth0", "eth0x").withPeerNetns(Netns.named(b)));
            hb.linkSetName("eth0x", "eth0");
            ha.addrAdd(Address.of(ha.linkByName("eth0").index(), aAddr));
            hb.addrAdd(Address.of(hb.linkByName("eth0").index(), bAddr));
            ha.linkSetUp("eth0");
            hb.linkSetUp("eth0");
        }
    }

    /** An interface name for this run: {@code bwgtTAG} + suffix, at most 15 bytes. */
    String iface(String suffix) {
        return IFACE_PREFIX + tag + suffix;
    }

    @Override
    public void close() {
        List<String> failed = new ArrayList<>();
        for (String ns : namespaces) {
            CommandResult r = Command.of("ip", "netns", "del", ns).run();
            if (!r.ok()) {
                failed.add(ns);
            }
        }
        namespaces.clear();
        if (!failed.isEmpty()) {
            throw new IllegalStateException("could not delete namespaces " + failed);
        }
    }
}
