package dev.berth.wireguard.driver;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.exec.Command;
import dev.berth.exec.CommandResult;
import dev.berth.packaging.Bundle;
import dev.berth.packaging.ModuleBundles;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The managed-plugin bundle as {@code berth up} builds it: the host's wireguard-go copied into the rootfs with what it
 * loads, runnable there, and the TUN device and capability in config.json.
 */
@Tag("integration")
class PluginBundleIT {
    @Test
    void bundle_carriesARunnableWireguardGo() throws Exception {
        Bundle b = ModuleBundles.build(Path.of(""), "net-wireguard", Path.of("target/it-plugin-bundle"));
        Path rootfs = b.dir().resolve("rootfs");
        Path wg = rootfs.resolve("usr/bin/wireguard-go");
        assertTrue(Files.isExecutable(wg), "wireguard-go in the rootfs: " + wg);
        String config = Files.readString(b.dir().resolve("config.json"));
        assertTrue(config.contains("/dev/net/tun") && config.contains("CAP_NET_ADMIN")
                && config.contains(WireGuardPlugin.class.getName()), config);
        CommandResult version = Command.of("chroot", rootfs.toString(), "/usr/bin/wireguard-go", "--version").run();
        assertTrue(version.ok() && version.stdout().contains("wireguard-go"),
                "wireguard-go runs inside the plugin's rootfs: " + version.stdout() + version.stderr());
    }
}
