package dev.berth.netlink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Generic netlink family resolution against the kernel's controller. */
@Tag("integration")
class GenericNetlinkIT {
    @BeforeAll
    static void needsRoot() {
        TestNamespaces.assumeRoot();
    }

    @Test
    void family_resolvesTheControllerItself() {
        try (GenericNetlink g = GenericNetlink.open()) {
            GenlFamily ctrl = g.family("nlctrl");
            assertEquals(GenlCodec.GENL_ID_CTRL, ctrl.id());
            assertEquals("nlctrl", ctrl.name());
            assertTrue(ctrl.version() >= 1, ctrl.toString());
            assertTrue(ctrl.multicastGroups().containsKey("notify"), ctrl.toString());
        }
    }

    @Test
    void family_nameLongerThanTheKernelAllows_isRefusedBeforeSending() {
        try (GenericNetlink g = GenericNetlink.open()) {
            assertThrows(IllegalArgumentException.class, () -> g.family("berth-no-such-family"));
        }
    }

    @Test
    void families_listsEveryRegisteredOne() {
        try (GenericNetlink g = GenericNetlink.open()) {
            assertTrue(g.families().stream().anyMatch(f -> f.name().equals("nlctrl")));
        }
    }

    @Test
    void family_unknownIsNotFound() {
        try (GenericNetlink g = GenericNetlink.open()) {
            NetlinkException e = assertThrows(NetlinkException.class, () -> g.family("berth-nofam"));
            assertEquals(NetlinkException.Kind.NOT_FOUND, e.kind(), e.getMessage());
        }
    }

    @Test
    void family_resolvesInsideAnotherNamespace() {
        try (TestNamespaces ns = new TestNamespaces();
             GenericNetlink g = GenericNetlink.open(Netns.named(ns.create()))) {
            assertEquals(GenlCodec.GENL_ID_CTRL, g.family("nlctrl").id());
        }
    }
}
