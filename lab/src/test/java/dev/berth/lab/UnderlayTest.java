package dev.berth.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("unit")
class UnderlayTest {
    @Test
    void parseNetnsList_keepsOnlyLabNamespaces() {
        String out = "berth-h2 (id: 1)\nberth-h1 (id: 0)\nberth-test-7\nother\n\n";
        assertEquals(List.of("berth-h2", "berth-h1"), Underlay.parseNetnsList(out));
        assertEquals(List.of(), Underlay.parseNetnsList(""));
    }

    @Test
    void parseLinkNames_stripsPeerSuffix() {
        String out = String.join("\n",
                "1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN mode DEFAULT",
                "5: berth-lab0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP",
                "7: berth-lv1@if2: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue master berth-lab0",
                "");
        assertEquals(List.of("lo", "berth-lab0", "berth-lv1"), Underlay.parseLinkNames(out));
    }
}
