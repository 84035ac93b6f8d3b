package dev.berth.wireguard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import dev.berth.netlink.NetlinkHandle;
import dev.berth.netlink.Netns;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The backend choice against this machine's kernel, and what the kernel backend says where the module is absent (as
 * here). Where the module is present, {@link KernelContractIT} runs the contract against it instead.
 */
@Tag("integration")
class KernelBackendIT {
    private WgTestEnv env;

    @BeforeEach
    void prepare() {
        WgTestEnv.prepare();
        env = new WgTestEnv();
    }

    @AfterEach
    void tearDown() {
        env.close();
    }

    @Test
    void detect_picksTheKernelWhereItHasWireGuard_elseWireguardGo() {
        Map<String, String> environment = new HashMap<>(System.getenv());
        environment.remove(Backends.ENV_BACKEND);
        Backends.Selection s = Backends.detect(environment, Backends.system());
        boolean kernel = Backends.kernelFamilyResolves() || Backends.kernelLinkCanBeCreated();
        assertEquals(kernel ? Backend.KERNEL : Backend.USERSPACE, s.backend(), s.reason());
        if (!kernel) {
            assertEquals(WgTestEnv.wireguardGo(), s.userspaceBinary());
        }
        environment.put(Backends.ENV_BACKEND, "userspace");
        assertEquals(Backend.USERSPACE, Backends.detect(environment, Backends.system()).backend());
    }

    @Test
    void withoutTheModule_kernelLinksAndGenericNetlink_sayNotSupported() {
        assumeFalse(Backends.kernelFamilyResolves(), "this kernel has WireGuard: KernelContractIT covers it");
        String ns = env.netns("k");
        try (NetlinkHandle nl = NetlinkHandle.open(Netns.named(ns))) {
            KernelLinks links = new KernelLinks(nl);
            WireGuardException e = assertThrows(WireGuardException.class, () -> links.create(env.iface("k")));
            assertEquals(WireGuardException.Kind.NOT_SUPPORTED, e.kind(), e.getMessage());
            assertFalse(links.exists(env.iface("k")));
            assertFalse(links.delete(env.iface("k")));
        }
        WireGuardException e = assertThrows(WireGuardException.class, () -> GenlControl.open(Netns.named(ns)));
        assertEquals(WireGuardException.Kind.NOT_SUPPORTED, e.kind(), e.getMessage());
    }
}
