package dev.berth.host.testvol;

import dev.berth.host.PluginLauncher;
import java.nio.file.Path;
import java.util.List;

/** TEST ONLY: the process main of the directory volume plugin. {@code BERTH_TESTVOL_ROOT} sets where volumes live. */
public final class DirVolumePlugin {
    private DirVolumePlugin() {
    }

    public static void main(String[] args) {
        String root = System.getenv().getOrDefault("BERTH_TESTVOL_ROOT", "/data/volumes");
        PluginLauncher.serve(config -> List.of(new DirVolumeDriver(Path.of(root))));
    }
}
