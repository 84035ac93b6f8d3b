package dev.berth.wireguard.keeper;

import dev.berth.wireguard.Backends;
import dev.berth.wireguard.UapiControl;
import dev.berth.wireguard.UserspaceLinks;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * The {@code berth/wireguard-go} service: the keeper of the plugin's userspace WireGuard devices. Settings:
 * {@code BERTH_WG_KEEPER_DIR} (default {@value #DEFAULT_DIR}, shared with the plugin), {@code BERTH_WG_USERSPACE}
 * (the binary, default wireguard-go on the PATH). Its container mounts the host's
 * {@code /var/lib/berth/wireguard/sockets} at {@code /var/run/wireguard}, where wireguard-go puts its sockets, so
 * the plugin reaches them through its own {@code /var/lib/berth} mount.
 */
public final class DeviceKeeperMain {
    public static final String DEFAULT_DIR = "/var/lib/berth/wireguard/keeper";

    private DeviceKeeperMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        Map<String, String> env = System.getenv();
        KeeperDir dir = new KeeperDir(Path.of(env.getOrDefault("BERTH_WG_KEEPER_DIR", DEFAULT_DIR)));
        Path binary = Backends.system().userspaceBinary(env).orElseThrow(() -> new IllegalStateException(
                "no wireguard-go binary (BERTH_WG_USERSPACE or wireguard-go on the PATH)"));
        UserspaceLinks links = new UserspaceLinks(binary, null, Path.of("/run/berth/wireguard-keeper"),
                new UapiControl(), Duration.ofSeconds(10));
        say("waiting for the keeper lock in " + dir.root());
        FileChannel lock = dir.lockAsKeeper();
        say("keeping the devices wanted in " + dir.root() + "/want with " + binary);
        DeviceKeeper keeper = new DeviceKeeper(dir, links, System::currentTimeMillis, DeviceKeeperMain::say);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                lock.close();
            } catch (java.io.IOException ignored) {
                // the process is ending
            }
        }));
        while (true) {
            try {
                keeper.reconcile();
            } catch (RuntimeException e) {
                say("reconcile failed: " + e);
            }
            Thread.sleep(100);
        }
    }

    private static void say(String message) {
        System.out.println(Instant.now() + " berth-wireguard-go: " + message);
    }
}
