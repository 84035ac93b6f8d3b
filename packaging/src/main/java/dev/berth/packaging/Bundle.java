package dev.berth.packaging;

import java.nio.file.Path;

/** A built managed-plugin bundle: {@code dir/config.json} and {@code dir/rootfs}, ready for {@code docker plugin create}. */
public record Bundle(PluginDescriptor descriptor, Path dir, String digest) {
    public String name() {
        return descriptor.name();
    }
}
