package dev.berth.bench;

import dev.berth.exec.Command;
import dev.berth.exec.CommandResult;
import dev.berth.lab.Lab;
import dev.berth.lab.LabHost;
import dev.berth.lab.LabSpec;
import dev.berth.packaging.Bundle;
import dev.berth.packaging.BundleBuilder;
import dev.berth.packaging.RuntimeImage;
import dev.berth.packaging.ServiceInstaller;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code ./berth bench dns [seconds]}: berth/dns against Docker's embedded DNS, side by side in one lab run (two hosts,
 * etcd). dnsperf (Debian) runs inside a container's network namespace on host h2, 200 queries outstanding:
 * <ul>
 * <li>anchor: Docker's 127.0.0.11 answering names of containers on its own host;</li>
 * <li>berth/dns queried directly for names of containers on the other host, and for forwarded names;</li>
 * <li>the same through Docker's 127.0.0.11 in front of berth/dns (what containers really use).</li>
 * </ul>
 * Forwarded names go to a dnsmasq (Debian) on the lab bridge, standing in for the host's resolver. Each row: queries
 * per second (a run without per-query output) and p50/p99 latency (a second run printing every query's latency).
 */
public final class DnsBench {
    private static final Path HOME = Path.of(System.getProperty("berth.home", ".")).toAbsolutePath();
    private static final Pattern QPS = Pattern.compile("Queries per second:\\s+([0-9.]+)");
    private static final Pattern LOST = Pattern.compile("Queries lost:\\s+(\\d+)");
    private static final Pattern LATENCY = Pattern.compile("^> \\S+ \\S+ \\S+ ([0-9.]+)$", Pattern.MULTILINE);

    private DnsBench() {
    }

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        Lab lab = Lab.standard().reporting(m -> System.err.println("lab: " + m));
        Bundle bundle = new BundleBuilder(RuntimeImage.fromBuildJdk()).buildFromInput(
                HOME.resolve("dns-discovery/target/plugin"), HOME.resolve("target/bench-dns-bundle"));
        Process dnsmasq = null;
        try {
            List<LabHost> hosts = lab.up(new LabSpec(2, true), (h, kv) -> {
                Map<String, String> settings = new LinkedHashMap<>();
                settings.put("BERTH_KV", kv.orElseThrow());
                settings.put("BERTH_DNS_NETWORKS", "all");
                settings.put("BERTH_DNS_UPSTREAMS", "10.99.0.254");
                settings.put("docker-socket.source", h.dockerSocket().toString());
                new ServiceInstaller(h.docker()).ensure(bundle, settings);
            });
            dnsmasq = new ProcessBuilder("dnsmasq", "-k", "--conf-file=/dev/null", "--listen-address=10.99.0.254",
                    "--bind-interfaces", "--port=53", "--no-resolv", "--no-hosts", "--address=/fwd.test/192.0.2.1",
                    "--cache-size=10000").redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            LabHost h1 = hosts.get(0);
            LabHost h2 = hosts.get(1);
            h1.docker().check("network", "create", "--subnet", "10.81.0.0/24", "shared");
            h2.docker().check("network", "create", "--subnet", "10.82.0.0/24", "shared");
            for (int i = 1; i <= 20; i++) {
                h1.docker().check("run", "-d", "--name", "far" + i, "--network", "shared", "berth/testbox", "sleep", "3600");
                h2.docker().check("run", "-d", "--name", "near" + i, "--network", "shared", "berth/testbox", "sleep",
                        "3600");
            }
            h2.docker().check("run", "-d", "--name", "client", "--network", "shared", "berth/testbox", "sleep", "3600");
            String pid = h2.docker().check("inspect", "--format", "{{.State.Pid}}", "client");
            Path dir = Files.createTempDirectory("berth-dns-bench");
            Path near = queries(dir.resolve("near.txt"), "near", "");
            Path far = queries(dir.resolve("far.txt"), "far", "");
            Path fwd = queries(dir.resolve("fwd.txt"), "n", ".fwd.test");
            awaitName(pid, h2.underlayAddress(), queries(dir.resolve("probe.txt"), "far", ""));

            List<String[]> rows = new ArrayList<>();
            Result anchor = dnsperf(pid, "127.0.0.11", near, seconds);
            rows.add(row("Docker 127.0.0.11, names on its own host (anchor)", anchor, anchor));
            rows.add(row("berth/dns direct, names on the other host", dnsperf(pid, h2.underlayAddress(), far, seconds),
                    anchor));
            rows.add(row("Docker 127.0.0.11 -> berth/dns, names on the other host",
                    dnsperf(pid, "127.0.0.11", far, seconds), anchor));
            rows.add(row("berth/dns direct, forwarded names", dnsperf(pid, h2.underlayAddress(), fwd, seconds), anchor));
            rows.add(row("Docker 127.0.0.11 -> berth/dns, forwarded names", dnsperf(pid, "127.0.0.11", fwd, seconds),
                    anchor));
            System.out.println("| path | QPS | p50 | p99 | lost | QPS / anchor | p99 / anchor |");
            System.out.println("|---|---|---|---|---|---|---|");
            for (String[] r : rows) {
                System.out.println("| " + String.join(" | ", r) + " |");
            }
        } finally {
            if (dnsmasq != null) {
                dnsmasq.destroy();
            }
            lab.down();
        }
    }

    private record Result(double qps, double p50ms, double p99ms, long lost) {
    }

    private static String[] row(String name, Result r, Result anchor) {
        return new String[] {name, String.format(Locale.ROOT, "%,.0f", r.qps),
            String.format(Locale.ROOT, "%.2f ms", r.p50ms), String.format(Locale.ROOT, "%.2f ms", r.p99ms),
            Long.toString(r.lost), String.format(Locale.ROOT, "%.2f", r.qps / anchor.qps),
            String.format(Locale.ROOT, "%.2f", r.p99ms / anchor.p99ms)};
    }

    private static Path queries(Path file, String prefix, String suffix) throws Exception {
        StringBuilder sb = new StringBuilder();
        for (int i = 1; i <= 20; i++) {
            sb.append(prefix).append(i).append(suffix).append(" A\n");
        }
        Files.writeString(file, sb.toString());
        return file;
    }

    /** Waits until every name of the file resolves (the other host's records have arrived). */
    private static void awaitName(String pid, String server, Path names) throws InterruptedException {
        long deadline = System.nanoTime() + 30_000_000_000L;
        String last = "";
        while (System.nanoTime() < deadline) {
            CommandResult r = Command.of("nsenter", "-t", pid, "-n", "dnsperf", "-s", server, "-n", "1", "-q", "1",
                    "-d", names.toString(), "-v").timeout(Duration.ofSeconds(10)).run();
            last = r.stdout() + r.stderr();
            if (r.stdout().contains("> NOERROR") && !r.stdout().contains("> NXDOMAIN")
                    && !r.stdout().contains("> SERVFAIL")) {
                return;
            }
            Thread.sleep(500);
        }
        throw new IllegalStateException("the names never became resolvable at " + server + ":\n" + last);
    }

    private static Result dnsperf(String pid, String server, Path file, int seconds) {
        CommandResult q = Command.of("nsenter", "-t", pid, "-n", "dnsperf", "-s", server, "-d", file.toString(),
                "-l", Integer.toString(seconds), "-q", "200").timeout(Duration.ofSeconds(seconds + 60)).check();
        Matcher m = QPS.matcher(q.stdout());
        double qps = m.find() ? Double.parseDouble(m.group(1)) : 0;
        Matcher l = LOST.matcher(q.stdout());
        long lost = l.find() ? Long.parseLong(l.group(1)) : -1;
        CommandResult v = Command.of("nsenter", "-t", pid, "-n", "dnsperf", "-s", server, "-d", file.toString(),
                "-l", Integer.toString(Math.max(2, seconds / 2)), "-q", "200", "-v")
                .timeout(Duration.ofSeconds(seconds + 60)).check();
        List<Double> lat = new ArrayList<>();
        Matcher lm = LATENCY.matcher(v.stdout());
        while (lm.find()) {
            lat.add(Double.parseDouble(lm.group(1)) * 1000);
        }
        Collections.sort(lat);
        double p50 = lat.isEmpty() ? Double.NaN : lat.get(lat.size() / 2);
        double p99 = lat.isEmpty() ? Double.NaN : lat.get(Math.min(lat.size() - 1, (int) (lat.size() * 0.99)));
        return new Result(qps, p50, p99, lost);
    }
}
