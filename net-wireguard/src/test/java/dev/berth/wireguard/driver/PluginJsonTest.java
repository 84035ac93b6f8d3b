package dev.berth.wireguard.driver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.packaging.PluginDescriptor;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The plugin descriptor is valid for packaging and names what the driver needs. */
@Tag("unit")
class PluginJsonTest {
    @Test
    void descriptor_namesTheMainClassTunDeviceAndWireguardGo() {
        PluginDescriptor d = PluginDescriptor.read(Path.of("src/main/plugin/plugin.json"));
        assertEquals(WireGuardPlugin.class.getName(), d.mainClass());
        assertEquals("host", d.network());
        assertEquals(List.of("/usr/bin/wireguard-go"), d.binaries());
        assertTrue(d.devices().stream().anyMatch(x -> x.path().equals("/dev/net/tun")));
        assertTrue(d.capabilities().stream().anyMatch(c -> c.name().equals("CAP_NET_ADMIN")));
        List<String> env = d.env().stream().map(PluginDescriptor.EnvVar::name).toList();
        assertTrue(env.containsAll(List.of("BERTH_KV", "BERTH_WG_BACKEND", "BERTH_WG_UNDERLAY", "BERTH_WG_PORTS")));
        assertEquals(List.of(51820, 52819), List.of(WireGuardPlugin.ports("51820-52819")[0],
                WireGuardPlugin.ports("51820-52819")[1]));
    }
}
