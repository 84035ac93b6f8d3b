package dev.berth.packaging;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
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
}
