package dev.berth.bench;

import dev.berth.exec.Command;
import dev.berth.exec.DockerCli;
import dev.berth.lab.Lab;
import dev.berth.lab.LabHost;
import dev.berth.lab.LabSpec;
import dev.berth.packaging.Bundle;
import dev.berth.packaging.BundleBuilder;
import dev.berth.packaging.JvmOptions;
import dev.berth.packaging.PluginDescriptor;
import dev.berth.packaging.PluginInstaller;
import dev.berth.packaging.RuntimeImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * How fast a Berth plugin process answers after Docker starts it, and how much memory it holds idle, measured on a
 * real dockerd (a one-host lab) with the test volume plugin packaged exactly like a real plugin (same runtime, same JVM
 * options, same plugin host).
 *
 * <p>Per run: {@code docker plugin disable -f}, then {@code docker plugin enable}; the time from the plugin process's
 * start (kernel start time in /proc) to the first answered {@code /Plugin.Activate} on its socket (kernel boot clock,
 * 10 ms resolution); then, after an idle pause, its resident set size (VmRSS). Medians over the runs.
 *
 * <p>Run: {@code ./berth bench start [runs] [idle-seconds]} (defaults 9 and 5).
 */
public final class PluginStartBench {
    private static final String MAIN = "dev.berth.host.testvol.DirVolumePlugin";
    private static final String NAME = "berth/testvol";

    private PluginStartBench() {
    }

    public static void main(String[] args) throws Exception {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 9;
        int idle = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        Path home = Path.of(System.getenv().getOrDefault("BERTH_HOME", "."));
        Bundle bundle = build(home);
        Lab lab = Lab.standard().reporting(s -> System.err.println("lab: " + s));
        try {
            LabHost host = lab.up(LabSpec.of(1), (h, kv) -> new PluginInstaller(h.docker()).ensure(bundle, Map.of()))
                    .get(0);
            DockerCli docker = host.docker();
            String id = docker.check("plugin", "inspect", "--format", "{{.Id}}", NAME);
            Path socket = host.pluginDir().resolve(id).resolve("berth.sock");
            List<Long> ready = new ArrayList<>();
            List<Long> enable = new ArrayList<>();
            List<Long> rss = new ArrayList<>();
            for (int i = 0; i < runs; i++) {
                docker.check("plugin", "disable", "-f", NAME);
                long t0 = System.nanoTime();
                CompletableFuture<Void> enabling = CompletableFuture.runAsync(
                        () -> docker.command("plugin", "enable", NAME).check());
                long pid = awaitAnswer(socket, Duration.ofSeconds(30));
                double answeredAt = uptimeSeconds();
                enabling.join();
                enable.add((System.nanoTime() - t0) / 1_000_000);
                long startedMs = Math.round(startSeconds(pid) * 1000);
                ready.add(Math.round(answeredAt * 1000) - startedMs);
                Thread.sleep(idle * 1000L);
                rss.add(vmRssKib(pid));
                System.err.printf("run %d: answered %d ms after process start; docker plugin enable %d ms; "
                        + "idle RSS %.1f MiB%n", i + 1, ready.get(i), enable.get(i), rss.get(i) / 1024.0);
            }
            report(runs, idle, ready, enable, rss);
        } finally {
            lab.down();
        }
    }

    private static Bundle build(Path home) {
        PluginDescriptor d = PluginDescriptor.read(home.resolve("plugin-host/src/test/plugin/testvol/plugin.json"));
        List<Path> jars;
        try (var list = Files.list(home.resolve("bench/target/testvol/lib"))) {
            jars = list.sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new BundleBuilder(RuntimeImage.fromBuildJdk()).build(d, jars, List.of(),
                home.resolve("bench/target/testvol-bundle"));
    }

    /** Polls until the plugin's socket answers Activate; returns the plugin's pid. */
    private static long awaitAnswer(Path socket, Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline) {
            if (activates(socket)) {
                return pluginPid();
            }
            Thread.sleep(2);
        }
        throw new IllegalStateException("the plugin did not answer on " + socket + " within " + limit);
    }

    private static boolean activates(Path socket) {
        if (!Files.exists(socket)) {
            return false;
        }
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(socket));
            ch.write(ByteBuffer.wrap(("POST /Plugin.Activate HTTP/1.1\r\nHost: \r\nContent-Length: 0\r\n"
                    + "Connection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1)));
            String reply = new String(Channels.newInputStream(ch).readAllBytes(), StandardCharsets.ISO_8859_1);
            return reply.startsWith("HTTP/1.1 200") && reply.contains("VolumeDriver");
        } catch (IOException e) {
            return false;
        }
    }

    private static long pluginPid() {
        return ProcessHandle.allProcesses()
                .filter(p -> p.info().commandLine().map(c -> c.contains(MAIN)).orElse(false))
                .mapToLong(ProcessHandle::pid).max()
                .orElseThrow(() -> new IllegalStateException("no plugin process found"));
    }

    /** Seconds since boot at which the process started (field 22 of /proc/PID/stat, in clock ticks of 1/100 s). */
    private static double startSeconds(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[19]) / 100.0;
    }

    private static double uptimeSeconds() throws IOException {
        return Double.parseDouble(Files.readString(Path.of("/proc/uptime")).split(" ")[0]);
    }

    private static long vmRssKib(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new IllegalStateException("no VmRSS");
    }

    private static long median(List<Long> values) {
        List<Long> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get(sorted.size() / 2);
    }

    private static void report(int runs, int idle, List<Long> ready, List<Long> enable, List<Long> rss)
            throws IOException {
        String cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                .findFirst().map(l -> l.substring(l.indexOf(':') + 2)).orElse("?");
        String docker = Command.of("/usr/sbin/dockerd", "--version").run().line();
        System.out.println("## Plugin start and idle memory (" + LocalDate.now() + ")");
        System.out.println();
        System.out.println("Command: `./berth bench start " + runs + " " + idle + "`; machine: "
                + Runtime.getRuntime().availableProcessors() + " cores, " + cpu + "; " + docker
                + "; plugin: berth/testvol (plugin-host + test volume driver) as a managed plugin in a 1-host lab.");
        System.out.println();
        System.out.println("| figure | median | min | max | target |");
        System.out.println("|---|---|---|---|---|");
        System.out.printf("| process start -> socket answers Activate | %d ms | %d ms | %d ms | <= 1000 ms |%n",
                median(ready), Collections.min(ready), Collections.max(ready));
        System.out.printf("| `docker plugin enable` (container create + start + Docker's own dial) | %d ms | %d ms | %d ms | - |%n",
                median(enable), Collections.min(enable), Collections.max(enable));
        System.out.printf("| idle RSS after %d s | %.1f MiB | %.1f MiB | %.1f MiB | <= 64 MiB |%n", idle,
                median(rss) / 1024.0, Collections.min(rss) / 1024.0, Collections.max(rss) / 1024.0);
        System.out.println();
        System.out.println("JVM options: `" + String.join(" ", JvmOptions.DEFAULT) + "`, env "
                + String.join(" ", JvmOptions.ENVIRONMENT) + ".");
    }
}
