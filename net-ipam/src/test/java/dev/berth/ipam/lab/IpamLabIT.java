package dev.berth.ipam.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.exec.Command;
import dev.berth.exec.CommandResult;
import dev.berth.exec.DockerCli;
import dev.berth.host.UnixHttp;
import dev.berth.kv.KeyValue;
import dev.berth.kv.KvStore;
import dev.berth.kv.KvStores;
import dev.berth.lab.Lab;
import dev.berth.lab.LabHost;
import dev.berth.lab.LabSpec;
import dev.berth.packaging.Bundle;
import dev.berth.packaging.ModuleBundles;
import dev.berth.packaging.PluginInstaller;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * berth/ipam as a Docker managed plugin on three real dockerd hosts sharing a real etcd, used by Docker's own bridge
 * driver: one host's local networks; one subnet shared by all hosts with 60 containers started at once while one
 * host's plugin is killed and restarted by Docker; reclamation of an address no endpoint uses; a dead host's holds.
 */
@Tag("lab")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class IpamLabIT {
    private static final Lab LAB = Lab.standard().reporting(System.out::println);
    private static final String SHARED = "10.61.0.0/16";
    private static List<LabHost> hosts;
    private static KvStore etcd;
    private static final Map<String, String> HOST_IDS = new HashMap<>();
    private static final Map<String, String> IP_AT_START = new ConcurrentHashMap<>();
    private static final Map<String, LabHost> CONTAINER_HOST = new ConcurrentHashMap<>();

    @BeforeAll
    static void up() throws Exception {
        Bundle bundle = ModuleBundles.build(Path.of(""), "net-ipam", Path.of("target/e2e-ipam"));
        hosts = LAB.up(new LabSpec(3, true), (h, kv) -> {
            Map<String, String> settings = new LinkedHashMap<>();
            settings.put("BERTH_KV", kv.orElseThrow());
            settings.put("BERTH_IPAM_RECONCILE_SECONDS", "2");
            settings.put("BERTH_IPAM_ORPHAN_GRACE_SECONDS", "6");
            settings.put("BERTH_IPAM_DEAD_HOST_GRACE_SECONDS", "10");
            settings.put("docker-socket.source", h.dockerSocket().toString());
            new PluginInstaller(h.docker()).ensure(bundle, settings);
        });
        etcd = KvStores.open(LAB.kvUrl().orElseThrow());
        for (LabHost h : hosts) {
            HOST_IDS.put(h.name(), Files.readString(h.stateDir().resolve("host-id")).trim());
        }
    }

    @AfterAll
    static void down() {
        if (etcd != null) {
            etcd.close();
        }
        LAB.down();
    }

    @Test
    @Order(1)
    void bridgeNetworkOnOneHost_usesBerthAddressesAndRefusesAnOverlap() {
        DockerCli d = hosts.get(0).docker();
        d.check("network", "create", "--ipam-driver", "berth/ipam:latest", "--subnet", "10.60.0.0/24", "local1");
        String out = d.check("run", "--rm", "--network", "local1", "berth/testbox", "sh", "-c",
                "ip -4 -o addr show eth0; ip route; ping -c 1 -W 2 10.60.0.1 >/dev/null && echo gateway-answers");
        assertTrue(out.contains("inet 10.60.0.2/24"), out);
        assertTrue(out.contains("default via 10.60.0.1"), out);
        assertTrue(out.contains("gateway-answers"), out);
        CommandResult overlap = d.command("network", "create", "--ipam-driver", "berth/ipam:latest", "--subnet",
                "10.60.0.0/25", "local2").run();
        assertFalse(overlap.ok());
        assertTrue(overlap.stderr().contains("overlaps pool 10.60.0.0/24"), overlap.stderr());
        d.check("network", "rm", "local1");
        d.check("network", "create", "--ipam-driver", "berth/ipam:latest", "--subnet", "10.60.0.0/25", "local2");
        d.check("network", "rm", "local2");
    }

    @Test
    @Order(2)
    void sixtyContainersOnThreeHosts_getDistinctAddresses_throughAPluginRestart() throws Exception {
        for (LabHost h : hosts) {
            h.docker().check("network", "create", "--ipam-driver", "berth/ipam:latest", "--ipam-opt", "berth.scope=global",
                    "--subnet", SHARED, "shared");
        }
        LabHost restarted = hosts.get(1);
        long before = pluginPid(restarted);
        ExecutorService pool = Executors.newFixedThreadPool(9);
        AtomicInteger started = new AtomicInteger();
        AtomicInteger retries = new AtomicInteger();
        List<Future<?>> runs = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            for (LabHost h : hosts) {
                String name = "c-" + h.name() + "-" + i;
                runs.add(pool.submit(() -> {
                    run(h, name, retries);
                    started.incrementAndGet();
                    return null;
                }));
            }
        }
        await("half of the containers running", Duration.ofMinutes(3), () -> started.get() >= 30);
        Command.of("kill", "-KILL", Long.toString(before)).check();
        for (Future<?> f : runs) {
            f.get();
        }
        pool.shutdown();
        await("Docker restarted the killed plugin", Duration.ofSeconds(60), () -> {
            long now = pluginPidOrZero(restarted);
            return now != 0 && now != before;
        });
        System.out.println("container starts retried while the plugin restarted: " + retries.get());

        Map<String, String> now = new HashMap<>();
        for (String name : IP_AT_START.keySet()) {
            now.put(name, ip(CONTAINER_HOST.get(name), name));
        }
        assertEquals(60, now.size());
        assertEquals(IP_AT_START, now, "an address changed");
        assertEquals(60, new HashSet<>(now.values()).size(), "duplicate addresses: " + now);
        Map<String, KeyValue> stored = addressRecords();
        for (Map.Entry<String, String> e : now.entrySet()) {
            KeyValue kv = stored.get(e.getValue());
            assertTrue(kv != null && kv.text().contains("\"held\"")
                            && kv.text().contains(HOST_IDS.get(CONTAINER_HOST.get(e.getKey()).name())),
                    e.getKey() + " " + e.getValue() + ": " + (kv == null ? "not in the store" : kv.text()));
        }
        // the network works on the restarted host: a container there reaches another on its bridge
        LabHost h2 = hosts.get(1);
        String peer = now.get("c-" + h2.name() + "-0");
        h2.docker().check("run", "--rm", "--network", "shared", "berth/testbox", "ping", "-c", "1", "-W", "2", peer);
    }

    @Test
    @Order(3)
    void anAddressNoEndpointUses_isReclaimed_neverOneInUse() throws Exception {
        LabHost h1 = hosts.get(0);
        Path socket = pluginSocket(h1);
        UnixHttp.Reply r = UnixHttp.post(socket, "/IpamDriver.RequestAddress",
                "{\"PoolID\":\"BerthGlobal/" + SHARED + "\",\"Address\":\"\",\"Options\":{}}");
        assertEquals(200, r.status(), r.body());
        String orphan = r.body().replaceAll(".*\"Address\":\"([^/]+)/.*", "$1");
        assertTrue(addressRecords().get(orphan).text().contains("\"held\""));
        await("the orphan " + orphan + " is released", Duration.ofSeconds(40),
                () -> addressRecords().get(orphan).text().contains("\"released\""));
        Map<String, KeyValue> stored = addressRecords();
        for (String name : IP_AT_START.keySet()) {
            assertTrue(stored.get(IP_AT_START.get(name)).text().contains("\"held\""), name + " lost its address");
        }
        assertTrue(stored.get("10.61.0.1").text().contains("\"held\""), "the gateway is in use: "
                + stored.get("10.61.0.1").text());
    }

    @Test
    @Order(4)
    void aDeadHostsHolds_areReclaimedByTheOthers() throws Exception {
        LabHost dead = hosts.get(2);
        String deadId = HOST_IDS.get(dead.name());
        for (long pid : dead.processes("dockerd")) {
            Command.of("kill", "-KILL", Long.toString(pid)).run();
        }
        Command.of("kill", "-KILL", Long.toString(pluginPid(dead))).run();
        await("the dead host's presence expires and its holds are reclaimed", Duration.ofSeconds(90), () -> {
            String pool = etcd.get("ipam/global/pools/10.61.0.0_16").map(KeyValue::text).orElse("");
            return !pool.contains(deadId);
        });
        Map<String, KeyValue> stored = addressRecords();
        for (Map.Entry<String, LabHost> e : CONTAINER_HOST.entrySet()) {
            String text = stored.get(IP_AT_START.get(e.getKey())).text();
            if (e.getValue() == dead) {
                assertTrue(text.contains("\"released\""), e.getKey() + ": " + text);
            } else {
                assertTrue(text.contains("\"held\""), e.getKey() + " on a live host lost its address: " + text);
            }
        }
        String gw = stored.get("10.61.0.1").text();
        assertTrue(gw.contains("\"held\"") && !gw.contains(deadId), "the live hosts keep the gateway: " + gw);
    }

    private static void run(LabHost h, String name, AtomicInteger retries) throws InterruptedException {
        for (int attempt = 0; ; attempt++) {
            CommandResult r = h.docker().command("run", "-d", "--name", name, "--network", "shared",
                    "berth/testbox", "sleep", "3600").timeout(Duration.ofMinutes(2)).run();
            if (r.ok()) {
                break;
            }
            // only while the killed plugin comes back: Docker then refuses the start and we try again
            h.docker().command("rm", "-f", name).run();
            if (attempt >= 5) {
                throw new AssertionError("docker run " + name + " on " + h.name() + " failed: " + r.stderr());
            }
            retries.incrementAndGet();
            Thread.sleep(2_000);
        }
        CONTAINER_HOST.put(name, h);
        IP_AT_START.put(name, ip(h, name));
    }

    private static String ip(LabHost h, String name) {
        return h.docker().check("inspect", "--format", "{{.NetworkSettings.Networks.shared.IPAddress}}", name);
    }

    private static Map<String, KeyValue> addressRecords() {
        Map<String, KeyValue> out = new HashMap<>();
        for (KeyValue kv : etcd.list("ipam/global/addrs/10.61.0.0_16/").entries()) {
            out.put(kv.key().substring(kv.key().lastIndexOf('/') + 1), kv);
        }
        return out;
    }

    private static Path pluginSocket(LabHost h) {
        String id = h.docker().check("plugin", "inspect", "--format", "{{.Id}}", "berth/ipam");
        return h.pluginDir().resolve(id).resolve("berth.sock");
    }

    private static long pluginPid(LabHost h) {
        long pid = pluginPidOrZero(h);
        if (pid == 0) {
            throw new AssertionError("no berth/ipam process on " + h.name());
        }
        return pid;
    }

    private static long pluginPidOrZero(LabHost h) {
        List<Long> pids = h.processes("dev.berth.ipam.IpamPlugin");
        return pids.isEmpty() ? 0 : pids.get(0);
    }

    private static void await(String what, Duration limit, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting: " + what);
            }
            Thread.sleep(250);
        }
    }
}
