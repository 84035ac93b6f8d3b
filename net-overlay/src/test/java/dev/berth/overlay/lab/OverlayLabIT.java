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
 * berth/overlay as a managed plugin on two real dockerd hosts sharing etcd, with berth/ipam: the same network created
 * on both with one command each, and a container on one host pinging a container on the other over VXLAN.
 */
@Tag("lab")
class OverlayLabIT {
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
    void containersOnTwoHosts_reachEachOtherOverTheOverlay() throws Exception {
        for (LabHost h : hosts) {
            h.docker().command("network", "create", "-d", "berth/overlay:latest", "--ipam-driver",
                    "berth/ipam:latest", "--ipam-opt", "berth.scope=global", "--subnet", "10.88.0.0/24", "ov")
                    .timeout(Duration.ofMinutes(1)).check();
        }
        LabHost h1 = hosts.get(0);
        LabHost h2 = hosts.get(1);
        h1.docker().check("run", "-d", "--name", "ca", "--network", "ov", "berth/testbox", "sleep", "3600");
        String ipA = h1.docker().check("inspect", "--format", "{{.NetworkSettings.Networks.ov.IPAddress}}", "ca");
        String mtu = h1.docker().check("exec", "ca", "cat", "/sys/class/net/eth0/mtu");
        assertEquals("1450", mtu, "underlay MTU minus the VXLAN overhead");
        CommandResult ping = null;
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (System.nanoTime() < deadline) {
            ping = h2.docker().command("run", "--rm", "--network", "ov", "berth/testbox", "ping", "-c", "2", "-W",
                    "2", ipA).timeout(Duration.ofMinutes(1)).run();
            if (ping.ok()) {
                break;
            }
            Thread.sleep(500);
        }
        assertTrue(ping != null && ping.ok(), "ping from h2 to " + ipA + " on h1: " + (ping == null ? "-"
                : ping.stdout() + ping.stderr()));
    }
}
