package dev.berth.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.berth.exec.Command;
import dev.berth.exec.CommandResult;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * A real three-host lab with etcd: daemons answer under their own names, hosts reach each other and etcd only over
 * the lab bridge, the test image runs; then down() leaves nothing, also after a simulated crash and a failed up().
 * Needs root, dockerd, etcd and busybox-static (CI installs them).
 */
@Tag("lab")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LabIT {
    private final Lab lab = Lab.standard().reporting(m -> System.out.println("[lab] " + m));
    private List<LabHost> hosts;
    /** Of the root-filesystem mount points the lab creates, those that were absent before: they must be again. */
    private final List<Path> absentBefore = LabLayout.EMPTY_DIRS_TO_TIDY.stream().filter(d -> !Files.exists(d)).toList();

    @BeforeAll
    void up() {
        assumeTrue(Files.isDirectory(Path.of("/proc/self/ns")) && isRoot(), "the lab needs root");
        assumeTrue(Files.isExecutable(Path.of("/usr/sbin/dockerd")), "needs Debian's docker.io (dockerd)");
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/etcd")), "needs Debian's etcd-server");
        long t0 = System.nanoTime();
        hosts = lab.up(new LabSpec(3, true), SuiteInstaller.NONE);
        System.out.println("[lab] up(3 hosts, etcd) took " + Duration.ofNanos(System.nanoTime() - t0).toMillis() + " ms");
    }

    @AfterAll
    void down() {
        if (isRoot()) {
            lab.down();
        }
    }

    @Test
    @Order(1)
    void eachHostAnswersUnderItsOwnNameAndIdentity() {
        assertEquals(3, hosts.size());
        Set<String> ids = new HashSet<>();
        for (LabHost h : hosts) {
            assertTrue(h.docker().answers(), h.name());
            assertEquals(h.name(), h.docker().check("info", "--format", "{{.Name}}"));
            ids.add(h.docker().check("info", "--format", "{{.ID}}"));
        }
        assertEquals(3, ids.size(), "hosts share an engine ID: " + ids);
    }

    @Test
    @Order(2)
    void hostsPingEachOtherOnTheUnderlay() {
        for (LabHost from : hosts) {
            for (LabHost to : hosts) {
                if (from != to) {
                    from.inNetns("/bin/busybox", "ping", "-c1", "-W2", to.underlayAddress()).check();
                }
            }
        }
    }

    @Test
    @Order(3)
    void hostNamespacesHaveNoDefaultRoute() {
        for (LabHost h : hosts) {
            String routes = h.inNetns("ip", "route", "show", "default").check().stdout();
            assertEquals("", routes.strip(), h.name());
        }
    }

    @Test
    @Order(4)
    void testboxRunsOnEveryHost() {
        for (LabHost h : hosts) {
            assertEquals("ok", h.docker().check("run", "--rm", TestImage.NAME, "sh", "-c", "echo ok"));
        }
        assertEquals("h2-reached", hosts.get(0).docker().check("run", "--rm", TestImage.NAME, "sh", "-c",
                "ping -c1 -W2 " + hosts.get(1).underlayAddress() + " >/dev/null && echo h2-reached"));
    }

    @Test
    @Order(5)
    void etcdAnswersFromInsideHostNamespaces() {
        Map<String, String> v3 = Map.of("ETCDCTL_API", "3");
        hosts.get(0).inNetns("etcdctl", "--endpoints", "http://10.99.0.254:2379", "put", "/berth/lab-it", "v1")
                .env(v3).check();
        String got = hosts.get(2).inNetns("etcdctl", "--endpoints", "http://10.99.0.254:2379", "get",
                "--print-value-only", "/berth/lab-it").env(v3).check().line();
        assertEquals("v1", got);
    }

    @Test
    @Order(6)
    void queriesDescribeTheRunningLab() {
        Lab fresh = Lab.standard();
        assertEquals(hosts, fresh.hosts());
        assertEquals(Optional.of("etcd://10.99.0.254:2379/berth"), fresh.kvUrl());
        assertEquals("export DOCKER_HOST=unix:///run/berth-lab/h2/docker.sock", fresh.env("h2"));
        assertThrows(LabException.class, () -> fresh.env("h4"));
    }

    @Test
    @Order(10)
    void downLeavesNothingBehind() {
        hosts.get(0).docker().check("run", "-d", TestImage.NAME, "sleep", "1000");
        long t0 = System.nanoTime();
        lab.down();
        System.out.println("[lab] down took " + Duration.ofNanos(System.nanoTime() - t0).toMillis() + " ms");
        assertMachineClean();
        assertEquals(List.of(), lab.hosts());
    }

    @Test
    @Order(11)
    void downCleansUpAfterACrashedRunWithoutStateFile() throws IOException {
        LabHost h1 = lab.up(LabSpec.of(1), SuiteInstaller.NONE).get(0);
        long containerPid = Long.parseLong(h1.docker().check("inspect", "--format", "{{.State.Pid}}",
                h1.docker().check("run", "-d", TestImage.NAME, "sleep", "1000")));
        // The crash: the state file is gone, dockerd and containerd die without a word; shims and containers stay.
        Files.delete(Path.of("/run/berth-lab/lab.properties"));
        long dockerd = Long.parseLong(Files.readString(Path.of("/run/berth-lab/h1/docker.pid")).strip());
        List<Long> killed = new ArrayList<>(List.of(dockerd));
        ProcessHandle.of(dockerd).orElseThrow().children().forEach(c -> killed.add(c.pid()));
        killed.forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
        assertTrue(ProcTable.awaitGone(killed, Duration.ofSeconds(10)).isEmpty());
        assertTrue(ProcTable.aliveNow(containerPid), "the container should outlive its daemon");

        Lab.standard().down();

        assertFalse(ProcTable.aliveNow(containerPid), "container process " + containerPid + " survived down()");
        assertMachineClean();
    }

    @Test
    @Order(12)
    void upTearsDownWhenTheInstallerFails() {
        LabException e = assertThrows(LabException.class, () -> lab.up(LabSpec.of(1), (host, kv) -> {
            throw new IllegalStateException("plugin refused");
        }));
        assertTrue(e.getMessage().contains("installing the suite on h1"), e.getMessage());
        assertTrue(e.getMessage().contains("plugin refused"), e.getMessage());
        assertTrue(e.getMessage().contains("torn down cleanly"), e.getMessage());
        assertMachineClean();
    }

    /** Checks the machine with its own eyes, not with the code under test, then with {@link Lab#leftovers()}. */
    private void assertMachineClean() {
        String netns = Command.of("ip", "netns", "list").check().stdout();
        assertFalse(netns.contains("berth-h"), "network namespaces left: " + netns);
        String links = Command.of("ip", "-o", "link", "show").check().stdout();
        assertFalse(links.contains("berth-lv") || links.contains("berth-lab0"), "links left: " + links);
        CommandResult rule = Command.of("iptables", "-w", "10", "-C", "FORWARD", "-i", "berth-lab0", "-o",
                "berth-lab0", "-j", "ACCEPT").run();
        assertEquals(1, rule.exitCode(), "FORWARD rule left (or iptables failed): " + rule.stderr());
        String mounts = readString(Path.of("/proc/self/mountinfo"));
        assertFalse(mounts.contains("berth-lab/") || mounts.contains("berth-lab "), "mounts left: " + mounts);
        assertEquals(List.of(), processesMentioningTheLab());
        assertFalse(Files.exists(Path.of("/run/berth-lab")), "/run/berth-lab left");
        assertFalse(Files.exists(Path.of("/var/lib/berth-lab/h1")), "/var/lib/berth-lab/h1 left");
        assertFalse(Files.exists(Path.of("/sys/fs/cgroup/memory/berth-lab")), "cgroup left");
        for (Path dir : absentBefore) {
            assertFalse(Files.exists(dir), dir + " was made by the lab and is still there");
        }
        assertEquals(List.of(), lab.leftovers());
    }

    private static List<String> processesMentioningTheLab() {
        List<String> found = new ArrayList<>();
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(Path.of("/proc"),
                p -> p.getFileName().toString().chars().allMatch(Character::isDigit))) {
            for (Path dir : dirs) {
                try {
                    String cmd = new String(Files.readAllBytes(dir.resolve("cmdline")), StandardCharsets.UTF_8)
                            .replace('\0', ' ');
                    if (cmd.contains("/var/lib/berth-lab") || cmd.contains("/run/berth-lab")) {
                        found.add(dir.getFileName() + ": " + cmd);
                    }
                } catch (IOException e) {
                    // gone
                }
            }
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        return found;
    }

    private static String readString(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static boolean isRoot() {
        return readString(Path.of("/proc/self/status")).lines()
                .anyMatch(l -> l.startsWith("Uid:") && l.split("\\s+")[2].equals("0"));
    }
}
