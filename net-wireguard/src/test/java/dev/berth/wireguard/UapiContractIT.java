package dev.berth.wireguard;

import dev.berth.netlink.Netns;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;

/** The contract against real wireguard-go devices (in a namespace of their own) over the UAPI. */
@Tag("integration")
class UapiContractIT extends WireGuardContract {
    @TempDir
    Path tmp;

    private WgTestEnv env;
    private UserspaceLinks links;
    private final UapiControl uapi = new UapiControl();
    private final List<String> devices = new ArrayList<>();

    @BeforeEach
    void namespace() {
        WgTestEnv.prepare();
        env = new WgTestEnv();
        links = new UserspaceLinks(WgTestEnv.wireguardGo(), Netns.named(env.netns("c")), tmp, uapi,
                Duration.ofSeconds(20));
    }

    @AfterEach
    void tearDown() {
        try {
            devices.forEach(links::delete);
        } finally {
            env.close();
        }
    }

    @Override
    WireGuardControl control() {
        return uapi;
    }

    @Override
    String newDevice() {
        String name = env.iface("c" + devices.size());
        links.create(name);
        devices.add(name);
        return name;
    }
}
