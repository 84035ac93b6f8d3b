package dev.berth.lab;

import dev.berth.exec.Command;
import dev.berth.exec.CommandResult;
import java.util.ArrayList;
import java.util.List;

/**
 * The lab's wire: bridge {@code berth-lab0} (10.99.0.254/24) in the root namespace and, per host, a network namespace
 * {@code berth-hN} whose {@code eth0} (10.99.0.N/24) is a veth whose other end {@code berth-lvN} is a bridge port.
 * The host namespaces get no default route, so nothing sent in them can leave the bridge. Shaped like iproute2: each
 * method says the commands it runs.
 */
final class Underlay {
    private static final List<String> FORWARD_RULE =
            List.of("FORWARD", "-i", LabLayout.BRIDGE, "-o", LabLayout.BRIDGE, "-j", "ACCEPT");

    private Underlay() {
    }

    /**
     * Equivalent to: {@code ip link add berth-lab0 type bridge; ip addr add 10.99.0.254/24 dev berth-lab0;
     * ip link set berth-lab0 up}, then {@link #addHost} for each host and {@link #allowForwarding()}.
     */
    static void create(List<LabHost> hosts) {
        ip("link", "add", LabLayout.BRIDGE, "type", "bridge");
        ip("addr", "add", LabLayout.BRIDGE_ADDRESS + "/" + LabLayout.PREFIX_LENGTH, "dev", LabLayout.BRIDGE);
        ip("link", "set", LabLayout.BRIDGE, "up");
        hosts.forEach(Underlay::addHost);
        allowForwarding();
    }

    /**
     * Equivalent to: {@code ip netns add berth-hN; ip link add berth-lvN type veth peer name eth0 netns berth-hN;
     * ip link set berth-lvN master berth-lab0 up; ip -n berth-hN addr add 10.99.0.N/24 dev eth0;
     * ip -n berth-hN link set eth0 up; ip -n berth-hN link set lo up}
     */
    static void addHost(LabHost host) {
        String veth = LabLayout.vethName(host);
        ip("netns", "add", host.netns());
        ip("link", "add", veth, "type", "veth", "peer", "name", "eth0", "netns", host.netns());
        ip("link", "set", veth, "master", LabLayout.BRIDGE, "up");
        ip("-n", host.netns(), "addr", "add", host.underlayAddress() + "/" + LabLayout.PREFIX_LENGTH, "dev", "eth0");
        ip("-n", host.netns(), "link", "set", "eth0", "up");
        ip("-n", host.netns(), "link", "set", "lo", "up");
    }

    /**
     * A dockerd in the root namespace (another test's, or a system one) sets the FORWARD policy to DROP, which would
     * silently drop bridged traffic between lab hosts once br_netfilter is loaded.
     * Equivalent to: {@code iptables -C FORWARD -i berth-lab0 -o berth-lab0 -j ACCEPT ||
     * iptables -I FORWARD -i berth-lab0 -o berth-lab0 -j ACCEPT}
     */
    static void allowForwarding() {
        if (!forwardRulePresent()) {
            iptables("-I");
        }
    }

    /** Equivalent to: {@code iptables -C FORWARD -i berth-lab0 -o berth-lab0 -j ACCEPT}. */
    static boolean forwardRulePresent() {
        return Command.of(iptablesArgv("-C")).run().ok();
    }

    /** Removes every copy of the rule. Equivalent to: {@code iptables -D FORWARD -i berth-lab0 ...} while present. */
    static void removeForwarding() {
        for (int i = 0; i < 16 && forwardRulePresent(); i++) {
            iptables("-D");
        }
    }

    /** The lab's network namespaces that exist. Equivalent to: {@code ip netns list} filtered to berth-hN. */
    static List<String> labNamespaces() {
        return parseNetnsList(ip("netns", "list").stdout());
    }

    /**
     * Equivalent to: {@code ip netns delete NAME}. A namespace that is already gone counts as deleted. The kernel
     * frees the namespace (and any veth end still in it) asynchronously after this returns.
     */
    static void deleteNamespace(String name) {
        CommandResult r = Command.of("ip", "netns", "delete", name).run();
        if (!r.ok() && labNamespaces().contains(name)) {
            throw new LabException("`ip netns delete " + name + "` exited " + r.exitCode() + ": " + r.stderr().strip());
        }
    }

    /** The lab's links in the root namespace. Equivalent to: {@code ip -o link show} filtered to berth-lvN, berth-lab0. */
    static List<String> labLinks() {
        return parseLinkNames(ip("-o", "link", "show").stdout()).stream().filter(LabLayout::isLabLink).toList();
    }

    /**
     * Equivalent to: {@code ip link delete NAME}; for a veth this removes both ends at once, synchronously. A link that
     * is already gone (say, taken by a namespace the kernel was still tearing down) counts as deleted.
     */
    static void deleteLink(String name) {
        CommandResult r = Command.of("ip", "link", "delete", name).run();
        if (!r.ok() && labLinks().contains(name)) {
            throw new LabException("`ip link delete " + name + "` exited " + r.exitCode() + ": " + r.stderr().strip());
        }
    }

    /** Names from {@code ip netns list} ({@code berth-h1 (id: 0)}) that are lab namespaces. */
    static List<String> parseNetnsList(String out) {
        List<String> names = new ArrayList<>();
        for (String line : out.split("\n")) {
            String name = line.trim().split(" ")[0];
            if (LabLayout.isLabNetns(name)) {
                names.add(name);
            }
        }
        return names;
    }

    /** Link names from {@code ip -o link show} ({@code 5: berth-lv1@if2: <BROADCAST,...> ...}). */
    static List<String> parseLinkNames(String out) {
        List<String> names = new ArrayList<>();
        for (String line : out.split("\n")) {
            String[] f = line.trim().split(": ", 3);
            if (f.length >= 2) {
                String name = f[1];
                int at = name.indexOf('@');
                names.add(at >= 0 ? name.substring(0, at) : name);
            }
        }
        return names;
    }

    private static CommandResult ip(String... args) {
        List<String> argv = new ArrayList<>(List.of("ip"));
        argv.addAll(List.of(args));
        return Command.of(argv).check();
    }

    private static void iptables(String verb) {
        Command.of(iptablesArgv(verb)).check();
    }

    private static List<String> iptablesArgv(String verb) {
        List<String> argv = new ArrayList<>(List.of("iptables", "-w", "10", verb));
        argv.addAll(FORWARD_RULE);
        return argv;
    }
}
