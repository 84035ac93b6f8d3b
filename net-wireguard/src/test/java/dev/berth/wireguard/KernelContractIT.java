package dev.berth.wireguard;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.berth.netlink.NetlinkHandle;
import dev.berth.netlink.Netns;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;

/**
 * The contract against the kernel module: links of kind wireguard made over rtnetlink, configured and read over
 * generic netlink. Skipped, saying so, where the kernel has no WireGuard (this machine: the module is absent).
 */
@Tag("integration")
class KernelContractIT extends WireGuardContract {
    private WgTestEnv env;
    private NetlinkHandle netlink;
    private KernelLinks links;
    private GenlControl genl;
    private final List<String> devices = new ArrayList<>();

    @BeforeEach
    void namespace() {
        WgTestEnv.assumeRoot();
        assumeTrue(Backends.kernelFamilyResolves() || Backends.kernelLinkCanBeCreated(),
                "this kernel has no WireGuard module (Linux 5.6+ ships it; this machine's kernel was built without)");
        env = new WgTestEnv();
        String ns = env.netns("kc");
        netlink = NetlinkHandle.open(Netns.named(ns));
        links = new KernelLinks(netlink);
        genl = GenlControl.open(Netns.named(ns));
    }

    @AfterEach
    void tearDown() {
        if (env == null) {
            return;
        }
        try {
            devices.forEach(links::delete);
            genl.close();
            netlink.close();
        } finally {
            env.close();
        }
    }

    @Override
    WireGuardControl control() {
        return genl;
    }

    @Override
    String newDevice() {
        String name = env.iface("k" + devices.size());
        links.create(name);
        devices.add(name);
        return name;
    }
}
