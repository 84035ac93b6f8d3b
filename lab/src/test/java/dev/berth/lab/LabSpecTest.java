package dev.berth.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("unit")
class LabSpecTest {
    @Test
    void accepts_oneToEightHosts() {
        assertEquals(1, new LabSpec(1, false).hosts());
        assertEquals(8, new LabSpec(8, true).hosts());
        assertTrue(new LabSpec(3, true).etcd());
        assertFalse(LabSpec.of(2).etcd());
    }

    @Test
    void rejects_zeroNegativeAndMoreThanEightHosts() {
        for (int n : new int[] {0, -1, 9, 254}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new LabSpec(n, false));
            assertTrue(e.getMessage().contains("1 to 8"), e.getMessage());
        }
    }
}
