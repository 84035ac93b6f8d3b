package dev.berth.wireguard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.netlink.Netns;
import dev.berth.wireguard.keeper.DeviceKeeper;
import dev.berth.wireguard.keeper.KeeperDir;
import dev.berth.wireguard.keeper.KeeperLinks;







import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The wireguard-go keeper with real wireguard-go in a fresh namespace: a device the plugin side ({@link KeeperLinks})
 * asks for is served by the keeper's process, not the plugin's; it outlives the plugin side (a new KeeperLinks finds it
 * configured as it was); a wireguard-go that dies is started again; an unwanted device is stopped; without a keeper
 * the plugin's own process serves it; a device that cannot start is reported as the keeper's error.
 */
@Tag("integration")
class DeviceKeeperIT {
    @TempDir
    Path tmp;
    WgTestEnv env;
    KeeperDir dir;
    UserspaceLinks keeperLinks;
    UserspaceLinks ownLinks;
    UapiControl uapi;
    ScheduledExecutorService loop;
    java.nio.channels.FileChannel lock;
    DeviceKeeper keeper;
    final List<String> log = new java.util.concurrent.CopyOnWriteArrayList<>();
    final List<String> ifaces = new ArrayList<>();

    @BeforeEach
    void setUp() {
        WgTestEnv.prepare();
        env = new WgTestEnv();
        String ns = env.netns("k");
        dir = new KeeperDir(tmp.resolve("keeper"));
        uapi = new UapiControl(List.of(tmp.resolve("none"), UapiControl.DEFAULT_SOCKET_DIR), Duration.ofSeconds(5));
        keeperLinks = new UserspaceLinks(WgTestEnv.wireguardGo(), Netns.named(ns), tmp.resolve("keeper-run"),
                new UapiControl(), Duration.ofSeconds(20));
        ownLinks = new UserspaceLinks(WgTestEnv.wireguardGo(), Netns.named(ns), tmp.resolve("own-run"),
                new UapiControl(), Duration.ofSeconds(20));
    }

    @AfterEach
    void tearDown() throws Exception {
        stopKeeper();
        for (String i : ifaces) {
            try {
                keeperLinks.delete(i);
            } catch (RuntimeException ignored) {
                // below
            }
            try {
                ownLinks.delete(i);
            } catch (RuntimeException ignored) {
                // the namespace goes anyway
            }
        }
        env.close();
    }

    private void startKeeper() {
        lock = dir.lockAsKeeper();
        keeper = new DeviceKeeper(dir, keeperLinks, System::currentTimeMillis, log::add);
        loop = Executors.newSingleThreadScheduledExecutor();
        loop.scheduleWithFixedDelay(keeper::reconcile, 0, 100, TimeUnit.MILLISECONDS);
    }

    private void stopKeeper() throws Exception {
        if (loop != null) {
            loop.shutdownNow();
            loop.awaitTermination(10, TimeUnit.SECONDS);
            loop = null;
        }
        if (lock != null) {
            lock.close();
            lock = null;
        }
    }

    private KeeperLinks plugin() {
        return new KeeperLinks(dir, uapi, ownLinks, Duration.ofSeconds(20), log::add);
    }

    private String iface(String n) {
        String i = env.iface(n);
        ifaces.add(i);
        return i;
    }

    @Test
    void aDeviceAskedOfTheKeeper_isServedByIt_andOutlivesThePluginSide() {
        startKeeper();
        assertTrue(dir.keeperAlive());
        String wg = iface("a");
        KeeperLinks first = plugin();
        first.create(wg);
        assertTrue(keeperLinks.process(wg).isPresent(), "the keeper's wireguard-go serves it");
        assertFalse(ownLinks.process(wg).isPresent(), "not a process of the plugin's own");
        var key = Keys.generate();
        uapi.configure(wg, DeviceConfig.unchanged().withPrivateKey(key.privateKey()).withListenPort(51999));

        // the plugin "restarts": a new KeeperLinks finds the device as it was, same process, same key
        long pid = keeperLinks.process(wg).orElseThrow().pid();
        KeeperLinks second = plugin();
        assertTrue(second.exists(wg));
        assertEquals(key.publicKey(), uapi.read(wg).publicKey());
        assertEquals(51999, uapi.read(wg).listenPort());
        assertEquals(pid, keeperLinks.process(wg).orElseThrow().pid());

        assertThrows(WireGuardException.class, () -> second.create(wg), "creating it again is EXISTS");
        assertTrue(second.delete(wg));
        assertFalse(second.exists(wg));
        await(() -> keeperLinks.process(wg).isEmpty(), "the keeper stopped its process");
    }

    @Test
    void aWireguardGoThatDies_isStartedAgainByTheKeeper() {
        startKeeper();
        String wg = iface("b");
        plugin().create(wg);
        await(() -> keeper.serving().contains(wg), "the keeper counts it as served");
        long pid = keeperLinks.process(wg).orElseThrow().pid();
        ProcessHandle.of(pid).orElseThrow().destroyForcibly();
        await(() -> keeperLinks.process(wg).map(h -> h.pid() != pid).orElse(false) && uapi.answers(wg),
                "a new wireguard-go answers");
        assertTrue(log.stream().anyMatch(l -> l.contains(wg + ": its wireguard-go exited")), log.toString());
    }

    @Test
    void withoutAKeeper_thePluginsOwnProcessServesTheDevice() {
        assertFalse(dir.keeperAlive());
        String wg = iface("c");
        KeeperLinks links = plugin();
        links.create(wg);
        assertTrue(ownLinks.process(wg).isPresent());
        assertFalse(dir.isWanted(wg));
        assertTrue(log.stream().anyMatch(l -> l.contains("no wireguard-go keeper runs")), log.toString());
        assertTrue(links.delete(wg));
        assertFalse(uapi.answers(wg));
    }

    @Test
    void aDeviceTheKeeperCannotStart_failsWithTheKeepersReason() {
        startKeeper();
        String wg = iface("d");
        ownLinks.create(wg); // someone else serves that name already, unknown to this plugin side
        KeeperDir other = dir;
        other.want(wg);
        await(() -> other.error(wg).isPresent(), "the keeper reports why");
        assertTrue(other.error(wg).orElseThrow().contains("already served by another process"));
        other.unwant(wg);
        assertTrue(ownLinks.process(wg).isPresent(), "the keeper never stops a process it did not start");
    }

    private static void await(java.util.function.BooleanSupplier c, String what) {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!c.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within 20 s: " + what);
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }
    }
}
