package dev.berth.ipam;

import dev.berth.host.PluginLauncher;
import java.util.List;

/** The {@code berth/ipam} plugin process. Settings: {@link IpamConfig}. */
public final class IpamPlugin {
    private IpamPlugin() {
    }

    public static void main(String[] args) {
        PluginLauncher.serve(config -> List.of(IpamService.start(IpamConfig.fromEnv(System.getenv()))));
    }
}
