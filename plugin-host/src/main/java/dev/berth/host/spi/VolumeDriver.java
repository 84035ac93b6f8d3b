package dev.berth.host.spi;

import dev.berth.host.api.volume.CapabilitiesResponse;
import dev.berth.host.api.volume.CreateRequest;
import dev.berth.host.api.volume.GetResponse;
import dev.berth.host.api.volume.ListResponse;
import dev.berth.host.api.volume.MountRequest;
import dev.berth.host.api.volume.MountpointResponse;
import dev.berth.host.api.volume.VolumeRequest;

/**
 * Docker's VolumeDriver protocol as a plain interface. Implementations never see HTTP or JSON; they throw the
 * {@link dev.berth.host.error.BerthException} family. Calls may arrive concurrently.
 */
public non-sealed interface VolumeDriver extends PluginDriver {
    @Override
    default String interfaceName() {
        return "VolumeDriver";
    }

    void create(CreateRequest request);

    void remove(VolumeRequest request);

    MountpointResponse mount(MountRequest request);

    void unmount(MountRequest request);

    MountpointResponse path(VolumeRequest request);

    GetResponse get(VolumeRequest request);

    ListResponse list();

    CapabilitiesResponse capabilities();
}
