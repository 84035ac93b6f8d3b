package dev.berth.bench.overlayscale;

import dev.berth.netlink.Family;
import dev.berth.netlink.Link;
import dev.berth.netlink.MacAddress;
import dev.berth.netlink.Neigh;
import dev.berth.netlink.NetlinkHandle;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.IntUnaryOperator;

/**
 * Looks at every simulated host's kernel, each through a netlink handle of its own (not the driver's): how many
 * remote endpoints the host's VXLAN device {@code vx<vni>} has an FDB entry for (a non-zero MAC with a remote VTEP),
 * whether they are exactly the right ones, and which overlay devices are left.
 */
public final class FdbWatch implements AutoCloseable {
    private final List<NetlinkHandle> handles = new ArrayList<>();
    private final int[] vxIndex;

    public FdbWatch(int hosts) {
        vxIndex = new int[hosts + 1];
        try {
            for (int i = 1; i <= hosts; i++) {
                handles.add(NetlinkHandle.open(SimUnderlay.namespaceFile(i)));
            }
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    private NetlinkHandle nl(int host) {
        return handles.get(host - 1);
    }

    /** Finds each host's one VXLAN device (after CreateNetwork); returns its name on host 1. */
    public String locateVxlan() {
        String name = null;
        for (int i = 1; i <= handles.size(); i++) {
            List<Link> vx = nl(i).linkList().stream().filter(l -> l.kind().equals("vxlan")).toList();
            if (vx.size() != 1) {
                throw new IllegalStateException(SimUnderlay.namespace(i) + " has " + vx.size() + " VXLAN devices");
            }
            vxIndex[i] = vx.get(0).index();
            name = name == null ? vx.get(0).name() : name;
        }
        return name;
    }

    /** Remote endpoints programmed on host {@code i}'s VXLAN device, by MAC: the VTEP each is sent to. */
    public Map<String, String> fdb(int i) {
        Map<String, String> out = new HashMap<>();
        for (Neigh n : nl(i).neighList(Family.BRIDGE, vxIndex[i])) {
            if (n.ip() != null && n.mac() != null && !n.mac().equals(MacAddress.ZERO)) {
                out.put(n.mac().toString(), n.ip().getHostAddress());
            }
        }
        return out;
    }

    /** Permanent neighbour entries on host {@code i}'s VXLAN device: address to MAC. */
    public Map<String, String> arp(int i) {
        Map<String, String> out = new HashMap<>();
        for (Neigh n : nl(i).neighList(Family.INET, vxIndex[i])) {
            if (n.mac() != null && (n.state() & Neigh.NUD_PERMANENT) != 0) {
                out.put(n.ip().getHostAddress(), n.mac().toString());
            }
        }
        return out;
    }

    /**
     * How a wait for convergence went: per host, nanoseconds after {@code t0} it got there (-1: never); how many
     * netlink dumps it took and how long one took on average.
     */
    public record Convergence(long[] atNanos, int dumps, double meanDumpMs, boolean complete) {
        public long lastNanos() {
            long max = 0;
            for (int i = 1; i < atNanos.length; i++) {
                max = Math.max(max, atNanos[i]);
            }
            return max;
        }
    }

    /**
     * Waits until each host's remote FDB entry count equals {@code target.applyAsInt(host)}, the time is up, or
     * {@code abort} says so. Every {@code period} it looks at the hosts not there yet: one whose notifications say it
     * got there is confirmed with a dump and counted from the notification's time; one whose notifications were lost
     * is dumped every period; one that has been silent for a second is dumped once a second in case they were lost
     * unnoticed.
     */
    public Convergence await(FdbEvents events, IntUnaryOperator target, long t0, Duration period, Duration timeout,
                             BooleanSupplier abort) throws InterruptedException {
        int hosts = handles.size();
        long[] at = new long[hosts + 1];
        long[] looked = new long[hosts + 1];
        java.util.Arrays.fill(at, -1);
        at[0] = 0;
        int left = hosts;
        int dumps = 0;
        long dumpNanos = 0;
        long deadline = t0 + timeout.toNanos();
        long second = 1_000_000_000L;
        while (left > 0 && System.nanoTime() < deadline && !abort.getAsBoolean()) {
            long start = System.nanoTime();
            for (int i = 1; i <= hosts; i++) {
                FdbEvents.Host e = events.host(i);
                int want = target.applyAsInt(i);
                long now = System.nanoTime();
                boolean told = !e.lost() && e.count() == want;
                boolean silent = now - e.changedAt() > second && now - looked[i] > second;
                if (at[i] >= 0 || !(told || e.lost() || silent)) {
                    continue;
                }
                long changed = e.changedAt();
                long t = System.nanoTime();
                int n = fdb(i).size();
                dumpNanos += System.nanoTime() - t;
                dumps++;
                looked[i] = System.nanoTime();
                if (n == want) {
                    at[i] = Math.max(0, (told && e.changedAt() == changed ? changed : t) - t0);
                    left--;
                }
            }
            long sleep = period.toNanos() - (System.nanoTime() - start);
            if (left > 0 && sleep > 0) {
                Thread.sleep(sleep / 1_000_000, (int) (sleep % 1_000_000));
            }
        }
        return new Convergence(at, dumps, dumps == 0 ? 0 : dumpNanos / 1e6 / dumps, left == 0);
    }

    /** Overlay devices left on host {@code i}: VXLAN, bridge and endpoint veths ({@code vx*, bv*, ve*, vc*}). */
    public List<String> overlayDevices(int i) {
        return nl(i).linkList().stream().map(Link::name)
                .filter(n -> n.startsWith("vx") || n.startsWith("bv") || n.startsWith("ve") || n.startsWith("vc"))
                .toList();
    }

    @Override
    public void close() {
        handles.forEach(NetlinkHandle::close);
    }
}
