package dev.berth.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@Tag("unit")
class ServiceDescriptorTest {
    @TempDir
    Path tmp;

    private PluginDescriptor read(String json) throws Exception {
        Path f = tmp.resolve("plugin.json");
        Files.writeString(f, json);
        return PluginDescriptor.read(f);
    }

    @Test
    void aService_needsNoPluginInterface_andAPluginStillDoes() throws Exception {
        PluginDescriptor dns = read("{\"name\":\"berth/dns\",\"kind\":\"service\",\"mainClass\":\"x.Main\","
                + "\"network\":\"host\"}");
        assertTrue(dns.isService());
        assertTrue(dns.interfaceTypes().isEmpty());
        assertFalse(read("{\"name\":\"berth/ipam\",\"mainClass\":\"x.Main\","
                + "\"interfaceTypes\":[\"docker.ipamdriver/1.0\"]}").isService());
        assertThrows(Exception.class, () -> read("{\"name\":\"berth/ipam\",\"mainClass\":\"x.Main\"}"));
        assertThrows(Exception.class, () -> read("{\"name\":\"berth/dns\",\"kind\":\"daemon\",\"mainClass\":\"x\"}"));
        assertThrows(Exception.class, () -> read("{\"name\":\"berth/dns\",\"kind\":\"service\",\"mainClass\":\"x\","
                + "\"interfaceTypes\":[\"docker.ipamdriver/1.0\"]}"));
    }

    @Test
    void aServicesCpuWeight_isRunAsCpuShares_withItsReason_andRefusedOnAPlugin() throws Exception {
        PluginDescriptor keeper = read("{\"name\":\"berth/wireguard-go\",\"kind\":\"service\",\"mainClass\":"
                + "\"x.Main\",\"network\":\"host\",\"cpu\":{\"shares\":4096,\"why\":\"the data plane\"}}");
        assertEquals(4096, keeper.cpu().shares());
        List<String> args = ServiceInstaller.runArgs(new Bundle(keeper, tmp, "d1"), "berth-wireguard-go", "img:1",
                Map.of(), "h1");
        int i = args.indexOf("--cpu-shares");
        assertTrue(i > 0 && args.get(i + 1).equals("4096"), args.toString());
        assertTrue(args.indexOf("--cpu-shares") < args.indexOf("img:1"), "an option, before the image: " + args);

        PluginDescriptor dns = read("{\"name\":\"berth/dns\",\"kind\":\"service\",\"mainClass\":\"x.Main\"}");
        assertNull(dns.cpu());
        assertFalse(ServiceInstaller.runArgs(new Bundle(dns, tmp, "d2"), "berth-dns", "img:2", Map.of(), "h2")
                .contains("--cpu-shares"), "Docker's default weight when none is asked for");

        assertThrows(Exception.class, () -> read("{\"name\":\"berth/ipam\",\"mainClass\":\"x.Main\","
                + "\"interfaceTypes\":[\"docker.ipamdriver/1.0\"],\"cpu\":{\"shares\":4096,\"why\":\"x\"}}"),
                "a managed plugin has no cpu weight");
        assertThrows(Exception.class, () -> read("{\"name\":\"berth/k\",\"kind\":\"service\",\"mainClass\":"
                + "\"x.Main\",\"cpu\":{\"shares\":4096}}"), "no reason");
        assertThrows(Exception.class, () -> read("{\"name\":\"berth/k\",\"kind\":\"service\",\"mainClass\":"
                + "\"x.Main\",\"cpu\":{\"shares\":1,\"why\":\"x\"}}"), "below Docker's range");
    }
}
