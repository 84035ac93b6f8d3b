package dev.berth.bench.overlay;

import dev.berth.exec.Command;
import dev.berth.lab.LabHost;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * When a new container's interface came up on its host: the moment the host end of its veth pair, a port of the
 * network's bridge, turns {@code LOWER_UP} (the container end is up in the container's namespace). Docker 20.10 moves
 * the container end there in runc's prestart hook, well after the {@code network connect} event it logs, so this is
 * the earliest moment the container can answer. Read from {@code ip -ts monitor link} (local time, microseconds) in
 * the namespace holding the bridge: the lab host's own for berth/overlay, the network's sandbox namespace for Docker's
 * overlay (in dockerd's mount namespace, under its exec root).
 */
public final class LinkWatch {
    /** {@code [2026-11-24T13:56:27.688763] 18: ve8f9e5cddfbe@if17: <BROADCAST,MULTICAST,UP,LOWER_UP> ... master X}. */
    private static final Pattern LINE = Pattern.compile("^\\[(\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d+)] \\d+: "
            + "(\\S+?)(?:@\\S+)?: <([^>]*)>.* master (\\S+)");

    /**
     * berth/overlay gives each endpoint a macvlan on the network's VXLAN device ({@code vc...@vx<vni>}), which has no
     * host end: the moment it leaves the host's namespace for the container's is the nearest equivalent.
     * {@code [2026-11-24T14:40:01.123456] Deleted 25: vcab12cd34ef5@vx4096: <BROADCAST,MULTICAST> ...}.
     */
    private static final Pattern MOVED = Pattern.compile("^\\[(\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d+)] "
            + "Deleted \\d+: vc\\S*?@(\\S+?):");

    private final Process process;
    private final CompletableFuture<Instant> up = new CompletableFuture<>();

    private LinkWatch(List<String> namespacePrefix, String bridgePrefix) {
        List<String> argv = new ArrayList<>(namespacePrefix);
        argv.addAll(List.of("ip", "-ts", "monitor", "link"));
        try {
            process = new ProcessBuilder(argv).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot start " + argv + ": " + e.getMessage(), e);
        }
        Thread reader = new Thread(() -> read(bridgePrefix), "link-watch");
        reader.setDaemon(true);
        reader.start();
    }

    /**
     * Watches for the first bridge port whose bridge's name starts with {@code bridgePrefix} going {@code LOWER_UP}.
     *
     * @param namespacePrefix the argv that enters the namespace ({@link #labHost}, {@link #dockerOverlay})
     */
    public static LinkWatch start(List<String> namespacePrefix, String bridgePrefix) {
        return new LinkWatch(namespacePrefix, bridgePrefix);
    }

    /** The lab host's own network namespace. Equivalent to: {@code nsenter --net=/var/run/netns/berth-h1}. */
    public static List<String> labHost(LabHost host) {
        return List.of("nsenter", "--net=" + host.netnsPath());
    }

    /**
     * The sandbox namespace of one of Docker's overlay networks on a host. Equivalent to: {@code nsenter -t DOCKERD
     * -m -- nsenter --net=EXEC_ROOT/netns/1-NETWORKID[:10]} (the file exists only in dockerd's mount namespace, and
     * only while a container of the network runs on the host).
     */
    public static List<String> dockerOverlay(LabHost host, String network) {
        ProcessHandle dockerd = ProcessHandle.allProcesses()
                .filter(p -> p.info().command().map(c -> c.endsWith("/dockerd")).orElse(false))
                .filter(p -> p.info().arguments().map(a -> List.of(a).contains(host.dockerHost())).orElse(false))
                .findFirst().orElseThrow(() -> new IllegalStateException("no dockerd for " + host.dockerHost()));
        List<String> args = List.of(dockerd.info().arguments().orElseThrow());
        int at = args.indexOf("--exec-root");
        if (at < 0 || at + 1 >= args.size()) {
            throw new IllegalStateException("dockerd " + dockerd.pid() + " has no --exec-root: " + args);
        }
        String pid = Long.toString(dockerd.pid());
        String netnsDir = args.get(at + 1) + "/netns";
        String id = host.docker().check("network", "inspect", "--format", "{{.Id}}", network).strip();
        String list = Command.of("nsenter", "-t", pid, "-m", "--", "ls", netnsDir).check().stdout();
        Optional<String> key = list.lines().filter(l -> l.matches("\\d+-" + id.substring(0, 10))).findFirst();
        return List.of("nsenter", "-t", pid, "-m", "--", "nsenter", "--net=" + netnsDir + "/"
                + key.orElseThrow(() -> new IllegalStateException("no sandbox namespace for " + network + " ("
                + id + ") in " + netnsDir + " on " + host.name() + ": " + list.strip())));
    }

    /** The moment, or empty when none came within {@code patience}. */
    public Optional<Instant> awaitUp(Duration patience) {
        try {
            return Optional.of(up.get(patience.toMillis(), TimeUnit.MILLISECONDS));
        } catch (Exception e) {
            return Optional.empty();
        }
    }

    public void stop() {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static Optional<Instant> upTime(String line, String bridgePrefix) {
        Matcher moved = MOVED.matcher(line);
        if (moved.find() && moved.group(2).startsWith(bridgePrefix)) {
            return Optional.of(LocalDateTime.parse(moved.group(1)).atZone(ZoneId.systemDefault()).toInstant());
        }
        Matcher m = LINE.matcher(line);
        if (!m.find() || !m.group(4).startsWith(bridgePrefix)
                || !List.of(m.group(3).split(",")).contains("LOWER_UP")) {
            return Optional.empty();
        }
        return Optional.of(LocalDateTime.parse(m.group(1)).atZone(ZoneId.systemDefault()).toInstant());
    }

    private void read(String bridgePrefix) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                if (!up.isDone()) {
                    upTime(line, bridgePrefix).ifPresent(up::complete);
                }
            }
        } catch (IOException e) {
            // stopped
        }
    }
}
