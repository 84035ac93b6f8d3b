package dev.berth.bench.overlayscale;

import dev.berth.exec.Command;
import dev.berth.exec.CommandResult;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The simulation's scaffolding, built with {@code ip} (the drivers under test use the netlink library only): one
 * network namespace per simulated host, {@code berth-sim-<i>}, whose {@code eth0} (10.97.x.y/16) is a veth pair to
 * the bridge {@code berth-simbr} in the namespace {@code berth-sim-underlay}. Nothing is made in the root namespace,
 * so nothing the simulation sends can leave it. Namespaces with the {@value #PREFIX} prefix left by an earlier run are
 * removed first; {@link #close()} removes every one, also after a failure.
 */
public final class SimUnderlay implements AutoCloseable {
    public static final String PREFIX = "berth-sim-";
    public static final String UNDERLAY_NS = PREFIX + "underlay";
    public static final String BRIDGE = "berth-simbr";
    public static final String DEVICE = "eth0";
    private static final Duration TIMEOUT = Duration.ofMinutes(2);

    private final int hosts;

    private SimUnderlay(int hosts) {
        this.hosts = hosts;
    }

    /** Removes stale namespaces, then makes the underlay and {@code hosts} host namespaces joined to it. */
    public static SimUnderlay create(int hosts) {
        if (hosts < 2 || hosts > 60_000) {
            throw new IllegalArgumentException("hosts must be 2..60000, not " + hosts);
        }
        removeStale();
        SimUnderlay u = new SimUnderlay(hosts);
        try {
            u.build();
        } catch (RuntimeException e) {
            u.close();
            throw e;
        }
        return u;
    }

    /** The namespace of simulated host {@code i} (1-based). */
    public static String namespace(int i) {
        return PREFIX + i;
    }

    public static Path namespaceFile(int i) {
        return Path.of("/var/run/netns", namespace(i));
    }

    /** Host {@code i}'s underlay address, the VTEP its peers send to. */
    public static String address(int i) {
        return "10.97." + (i >> 8) + "." + (i & 255);
    }

    private void build() {
        ip("netns", "add", UNDERLAY_NS);
        List<String> underlay = new ArrayList<>(List.of("link add " + BRIDGE + " type bridge",
                "link set " + BRIDGE + " up", "link set lo up"));
        for (int i = 1; i <= hosts; i++) {
            ip("netns", "add", namespace(i));
            underlay.add("link add sim" + i + " type veth peer name " + DEVICE + " netns " + namespace(i));
            underlay.add("link set sim" + i + " master " + BRIDGE);
            underlay.add("link set sim" + i + " up");
        }
        batch(UNDERLAY_NS, underlay);
        for (int i = 1; i <= hosts; i++) {
            batch(namespace(i), List.of("link set lo up", "addr add " + address(i) + "/16 dev " + DEVICE,
                    "link set " + DEVICE + " up"));
        }
    }

    /** Every namespace whose name starts with {@value #PREFIX}; never any other. */
    public static List<String> existing() {
        List<String> out = new ArrayList<>();
        for (String line : Command.of("ip", "netns", "list").timeout(TIMEOUT).check().stdout().split("\n")) {
            String name = line.trim().split("\\s+")[0];
            if (name.startsWith(PREFIX)) {
                out.add(name);
            }
        }
        return out;
    }

    private static void removeStale() {
        List<String> stale = existing();
        if (!stale.isEmpty()) {
            System.err.println("removing " + stale.size() + " stale " + PREFIX + "* namespaces");
        }
        stale.forEach(SimUnderlay::delete);
    }

    private static void delete(String ns) {
        CommandResult r = Command.of("ip", "netns", "del", ns).timeout(TIMEOUT).run();
        if (!r.ok()) {
            System.err.println("ip netns del " + ns + ": " + r.stderr().trim());
        }
    }

    /** Deletes every {@value #PREFIX}* namespace (the veth pairs, VXLAN devices and bridges go with them). */
    @Override
    public void close() {
        existing().forEach(SimUnderlay::delete);
    }

    private static void ip(String... args) {
        List<String> argv = new ArrayList<>(List.of("ip"));
        argv.addAll(List.of(args));
        Command.of(argv).timeout(TIMEOUT).check();
    }

    private static void batch(String ns, List<String> lines) {
        Command.of("ip", "-n", ns, "-batch", "-").timeout(TIMEOUT)
                .stdin((String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8)).check();
    }
}
