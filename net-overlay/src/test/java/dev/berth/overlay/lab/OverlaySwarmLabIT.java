package dev.berth.overlay.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.exec.CommandResult;
import dev.berth.lab.Lab;
import dev.berth.lab.LabHost;
import dev.berth.lab.LabSpec;
import dev.berth.packaging.Bundle;
import dev.berth.packaging.BundleBuilder;
import dev.berth.packaging.ModuleBundles;
import dev.berth.packaging.PluginInstaller;
import dev.berth.packaging.RuntimeImage;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * berth/overlay in swarm mode: two lab hosts form a swarm; each has the same config-only network (berth/ipam, the
 * subnet), the manager creates one swarm-scoped, attachable berth/overlay network from it, and standalone containers
 * on both hosts attach to it and reach each other.
 */
@Tag("lab")
class OverlaySwarmLabIT {
    private static final Lab LAB = Lab.standard().reporting(System.out::println);
    private static List<LabHost> hosts;

    @BeforeAll
    static void up() {
        Bundle overlay = ModuleBundles.build(Path.of(""), "net-overlay", Path.of("target/e2e-overlay"));
        Bundle ipam = new BundleBuilder(RuntimeImage.fromBuildJdk()).buildFromInput(
                Path.of("../net-ipam/target/plugin"), Path.of("target/e2e-ipam-bundle"));
        hosts = LAB.up(new LabSpec(2, true), (h, kv) -> {
            PluginInstaller installer = new PluginInstaller(h.docker());
            installer.ensure(ipam, Map.of("BERTH_KV", kv.orElseThrow(), "docker-socket.source",
                    h.dockerSocket().toString()));
            installer.ensure(overlay, Map.of("BERTH_KV", kv.orElseThrow()));
        });
    }

    @AfterAll
    static void down() {
        LAB.down();
    }

    @Test
    void anAttachableSwarmNetwork_connectsContainersOnTwoNodes() throws Exception {
        LabHost manager = hosts.get(0);
        LabHost worker = hosts.get(1);
        manager.docker().check("swarm", "init", "--advertise-addr", manager.underlayAddress());
        String token = manager.docker().check("swarm", "join-token", "-q", "worker");
        worker.docker().command("swarm", "join", "--token", token, manager.underlayAddress() + ":2377")
                .timeout(Duration.ofMinutes(1)).check();
        // Docker applies a swarm network's IPAM for a local-scope driver on each node from a config-only network
        // (as for macvlan): the same one on every node, then the swarm network made from it on the manager
        for (LabHost h : hosts) {
            h.docker().command("network", "create", "--config-only", "--ipam-driver", "berth/ipam:latest",
                    "--ipam-opt", "berth.scope=global", "--subnet", "10.96.0.0/24", "sw-config")
                    .timeout(Duration.ofMinutes(1)).check();
        }
        manager.docker().command("network", "create", "-d", "berth/overlay:latest", "--scope", "swarm",
                "--attachable", "--config-from", "sw-config", "sw").timeout(Duration.ofMinutes(1)).check();
        manager.docker().check("run", "-d", "--name", "s1", "--network", "sw", "berth/testbox", "sleep", "3600");
        worker.docker().check("run", "-d", "--name", "s2", "--network", "sw", "berth/testbox", "sleep", "3600");
        String s1 = manager.docker().check("inspect", "--format", "{{.NetworkSettings.Networks.sw.IPAddress}}", "s1");
        String s2 = worker.docker().check("inspect", "--format", "{{.NetworkSettings.Networks.sw.IPAddress}}", "s2");
        System.out.println("swarm network sw: s1 " + s1 + " on " + manager.name() + ", s2 " + s2 + " on "
                + worker.name());
        assertTrue(s1.startsWith("10.96.0.") && s2.startsWith("10.96.0.") && !s1.equals(s2), s1 + " " + s2);
        assertEquals(manager.docker().check("network", "inspect", "--format", "{{.Id}}", "sw"),
                worker.docker().check("network", "inspect", "--format", "{{.Id}}", "sw"),
                "one swarm network, the same ID on both nodes");
        CommandResult ping = null;
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            ping = worker.docker().command("exec", "s2", "ping", "-c", "1", "-W", "1", s1).run();
            if (ping.ok()) {
                break;
            }
            Thread.sleep(300);
        }
        assertTrue(ping != null && ping.ok(), "s2 pings s1 across the swarm network: "
                + (ping == null ? "" : ping.stdout() + ping.stderr()));
    }
}
