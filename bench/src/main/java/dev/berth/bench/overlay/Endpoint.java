package dev.berth.bench.overlay;

import dev.berth.exec.Command;
import dev.berth.lab.LabHost;
import dev.berth.lab.TestImage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A long-running bench container on one network of one lab host, and its address there. The test image has busybox
 * only, so the bench runs the host's own tools (iperf3, iputils ping, ip) in the container's network namespace.
 *
 * @param host      the lab host it runs on
 * @param container its name
 * @param pid       its init process, for {@code nsenter -t PID -n}
 * @param ip        its IPv4 address on {@code network}
 */
public record Endpoint(LabHost host, String container, String network, long pid, String ip) {

    /** Equivalent to: {@code docker run -d --name NAME --network NET berth/testbox sleep 36000}, then inspect. */
    public static Endpoint start(LabHost host, String name, String network) {
        host.docker().command("run", "-d", "--name", name, "--network", network, TestImage.NAME, "sleep", "36000")
                .timeout(Duration.ofMinutes(2)).check();
        String pid = host.docker().check("inspect", "--format", "{{.State.Pid}}", name);
        String ip = host.docker().check("inspect", "--format",
                "{{(index .NetworkSettings.Networks \"" + network + "\").IPAddress}}", name);
        return new Endpoint(host, name, network, Long.parseLong(pid.strip()), ip.strip());
    }

    /** A host tool run in this container's network namespace. Equivalent to: {@code nsenter -t PID -n argv...} */
    public Command inNetns(String... argv) {
        return Command.of(argvInNetns(argv));
    }

    public List<String> argvInNetns(String... argv) {
        List<String> full = new ArrayList<>(List.of("nsenter", "-t", Long.toString(pid), "-n"));
        full.addAll(List.of(argv));
        return full;
    }

    /** Pings {@code address} once a second until it answers, for at most {@code patience}. */
    public void awaitReachable(String address, Duration patience) {
        long deadline = System.nanoTime() + patience.toNanos();
        String last = "";
        while (System.nanoTime() < deadline) {
            var r = inNetns("ping", "-n", "-c", "1", "-W", "1", address).timeout(Duration.ofSeconds(10)).run();
            if (r.ok()) {
                return;
            }
            last = r.stdout() + r.stderr();
        }
        throw new IllegalStateException(container + " on " + host.name() + " cannot reach " + address + " on "
                + network + " within " + patience.toSeconds() + " s:\n" + last);
    }
}
