package dev.berth.host.spi;

/** What every driver kind shares: the plugin interface name it answers in {@code /Plugin.Activate}. */
public sealed interface PluginDriver permits NetworkDriver, IpamDriver, VolumeDriver {
    /** "NetworkDriver", "IpamDriver" or "VolumeDriver". */
    String interfaceName();
}
