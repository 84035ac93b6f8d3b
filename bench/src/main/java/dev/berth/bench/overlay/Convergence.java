package dev.berth.bench.overlay;

import dev.berth.lab.LabHost;
import dev.berth.lab.TestImage;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How soon a new container on one host answers a container on another: a pinger already pings an address from host
 * B, then host A runs {@code docker run -d --network NET --ip ADDRESS --mac-address MAC berth/testbox sleep 600};
 * the figure is the pinger's first reply (iputils {@code ping -D}: the receive time on the machine's clock) minus the
 * moment {@code docker run -d} returned (this JVM's clock: the same machine clock). Negative when the container
 * answered before the command returned: a namespace answers pings as soon as its interface is up, before the
 * container's process has started, and the command returns only after the daemon's own work after the start. Two more
 * figures per run put that in context: the first reply minus the start of {@code docker run -d}, and minus the moment
 * the container's interface came up on host A ({@link LinkWatch}), which is the overlay's propagation alone, free of
 * Docker's own timing. (Docker's {@code network connect} event is no such mark: Docker 20.10 logs it before runc's
 * prestart hook moves the interface into the container, 100 to 300 ms earlier here.)
 *
 * <p>The pinger is the host's iputils ping in a container's network namespace, one echo request every 2 ms:
 * {@code nsenter -t PID -n ping -n -D -i 0.002 ADDRESS}. Every run uses a fresh address (the same one on both
 * networks), with Docker's IPv4-derived MAC fixed by {@code --mac-address}: Docker's classic overlay keeps peer
 * entries it learnt by resolving an ARP miss ("dummy" entries) after the container is gone, so a reused address would
 * be answered from that stale entry at once, and a container pinging a not-yet-existing address on its own host
 * leaves an entry pointing that host at itself, which black-holes the address there for good (both seen in this lab,
 * Docker 20.10.24). Hence also one pinger only, on the other host. Two ways the pinger finds the MAC, each the same
 * for both networks:
 * <ul>
 * <li>{@link Arp#RESOLVED}: by ARP, as any client would. Its ARP retry interval is the kernel's floor
 *     ({@code net.ipv4.neigh.eth0.retrans_time_ms=10}, 12 ms at HZ=250), not the default 1 s, which would otherwise
 *     dominate the figure;</li>
 * <li>{@link Arp#PINNED}: from a permanent neighbour entry made beforehand ({@code ip neigh replace ADDRESS lladdr
 *     MAC dev eth0 nud permanent}), so the figure is the overlay's forwarding alone, to within 2 ms.</li>
 * </ul>
 */
public final class Convergence {
    private static final Pattern REPLY = Pattern.compile("^\\[(\\d+)\\.(\\d+)] \\d+ bytes from ");
    private static final long LEAD_MS = 500;
    private static final Duration PATIENCE = Duration.ofSeconds(10);

    private Convergence() {
    }

    /** How the pinger learns the new container's MAC. */
    public enum Arp {
        PINNED("pinger's neighbour entry pinned"), RESOLVED("ARP resolved by the pinger");

        public final String label;

        Arp(String label) {
            this.label = label;
        }
    }

    /**
     * @param millis             first reply minus the return of {@code docker run -d} (the figure)
     * @param fromStartMillis    first reply minus the moment {@code docker run -d} was started
     * @param afterUpMillis      first reply minus the moment the container's interface came up on host A (NaN when
     *                           that was not seen)
     * @param runMillis          how long {@code docker run -d} took
     */
    public record Sample(double millis, double fromStartMillis, double afterUpMillis, double runMillis) {
    }

    /**
     * Where the new container runs.
     *
     * @param host         host A
     * @param network      the network's name there
     * @param bridgeNetns  the argv entering the namespace of the network's bridge on host A ({@link LinkWatch})
     * @param bridgePrefix how that bridge's name starts
     */
    public record Target(LabHost host, String network, List<String> bridgeNetns, String bridgePrefix) {
    }

    /** Sets the pinger's ARP retry interval to the kernel's floor (see above); the same in both modes. */
    public static void prepare(Endpoint pinger) {
        pinger.inNetns("sysctl", "-qw", "net.ipv4.neigh.eth0.retrans_time_ms=10").check();
    }

    /**
     * One run: the pinger and a {@link LinkWatch} on host A start, after {@value #LEAD_MS} ms host A runs the
     * container, the first reply is awaited (at most 10 s), then both stop and the container is removed.
     */
    public static Sample once(Target target, String address, Endpoint pinger, Arp mode) {
        String mac = macFor(address);
        String network = target.network();
        String name = "conv-" + network;
        pinger.inNetns("ip", "neigh", "del", address, "dev", "eth0").run(); // absent is fine
        if (mode == Arp.PINNED) {
            pinger.inNetns("ip", "neigh", "replace", address, "lladdr", mac, "dev", "eth0", "nud", "permanent")
                    .check();
        }
        Pinger ping = new Pinger(pinger, address);
        LinkWatch watch = null;
        try {
            watch = LinkWatch.start(target.bridgeNetns(), target.bridgePrefix());
            sleep(LEAD_MS);
            if (!ping.process.isAlive()) {
                throw new IllegalStateException("the pinger exited early:\n" + ping.tail());
            }
            List<String> run = target.host().docker().command("run", "-d", "--name", name, "--network", network,
                    "--ip", address, "--mac-address", mac, TestImage.NAME, "sleep", "600").argv();
            Instant started = Instant.now();
            long began = System.nanoTime();
            Process docker = start(run);
            int exit = waitFor(docker, Duration.ofMinutes(2));
            Instant returned = Instant.now();
            double runMillis = (System.nanoTime() - began) / 1e6;
            String out = output(docker);
            if (exit != 0) {
                throw new IllegalStateException("`" + String.join(" ", run) + "` exited " + exit + ": " + out);
            }
            Instant reply = ping.firstReply(network);
            double afterUp = watch.awaitUp(Duration.ofSeconds(1)).map(up -> millis(up, reply)).orElse(Double.NaN);
            return new Sample(millis(returned, reply), millis(started, reply), afterUp, runMillis);
        } finally {
            ping.stop();
            if (watch != null) {
                watch.stop();
            }
            target.host().docker().command("rm", "-f", name).timeout(Duration.ofMinutes(1)).run();
            if (mode == Arp.PINNED) {
                pinger.inNetns("ip", "neigh", "del", address, "dev", "eth0").run();
            }
        }
    }

    private static double millis(Instant from, Instant to) {
        return Duration.between(from, to).toNanos() / 1e6;
    }

    /** {@code ping -n -D -i 0.002 ADDRESS} in a container's namespace, read as it prints. */
    private static final class Pinger {
        final Process process;
        private final String from;
        private final String address;
        private final Deque<String> tail = new ArrayDeque<>();
        private final CompletableFuture<Instant> first = new CompletableFuture<>();

        Pinger(Endpoint e, String address) {
            this.from = e.container();
            this.address = address;
            this.process = start(e.argvInNetns("ping", "-n", "-D", "-i", "0.002", address));
            Thread reader = new Thread(this::read, "pinger-" + from);
            reader.setDaemon(true);
            reader.start();
        }

        Instant firstReply(String network) {
            try {
                return first.get(PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                throw new IllegalStateException("no reply from " + address + " on " + network + " to " + from
                        + " within " + PATIENCE.toSeconds() + " s of `docker run -d` returning; its last lines:\n"
                        + tail(), e);
            } catch (ExecutionException | InterruptedException e) {
                throw new IllegalStateException("waiting for the pinger in " + from + ": " + e, e);
            }
        }

        void stop() {
            process.destroy();
            waitFor(process, Duration.ofSeconds(5));
        }

        String tail() {
            synchronized (tail) {
                return String.join("\n", tail);
            }
        }

        private void read() {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    Instant t = first.isDone() ? null : replyTime(line);
                    if (t != null) {
                        first.complete(t);
                    }
                    synchronized (tail) {
                        tail.addLast(line);
                        if (tail.size() > 20) {
                            tail.removeFirst();
                        }
                    }
                }
            } catch (IOException e) {
                // the pinger was stopped
            }
        }
    }

    /** Docker's MAC for an IPv4 address: 02:42 and the address's four bytes. */
    static String macFor(String ipv4) {
        String[] p = ipv4.split("\\.");
        return String.format("02:42:%02x:%02x:%02x:%02x", Integer.parseInt(p[0]), Integer.parseInt(p[1]),
                Integer.parseInt(p[2]), Integer.parseInt(p[3]));
    }

    /** The receive time of a {@code ping -D} reply line ({@code [1795525843.752611] 64 bytes from ...}), or null. */
    static Instant replyTime(String line) {
        Matcher m = REPLY.matcher(line);
        if (!m.find()) {
            return null;
        }
        String frac = (m.group(2) + "000000000").substring(0, 9);
        return Instant.ofEpochSecond(Long.parseLong(m.group(1)), Long.parseLong(frac));
    }

    private static Process start(List<String> argv) {
        try {
            return new ProcessBuilder(argv).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot start " + argv + ": " + e.getMessage(), e);
        }
    }

    private static int waitFor(Process p, Duration timeout) {
        try {
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                p.waitFor(5, TimeUnit.SECONDS);
                return -1;
            }
            return p.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private static String output(Process p) {
        try {
            return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            return "(" + e.getMessage() + ")";
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
