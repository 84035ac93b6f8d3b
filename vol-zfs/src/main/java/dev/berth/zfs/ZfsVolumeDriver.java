package dev.berth.zfs;

import dev.berth.host.HealthCheck;
import dev.berth.host.api.volume.CapabilitiesResponse;
import dev.berth.host.api.volume.CreateRequest;
import dev.berth.host.api.volume.GetResponse;
import dev.berth.host.api.volume.ListResponse;
import dev.berth.host.api.volume.MountRequest;
import dev.berth.host.api.volume.MountpointResponse;
import dev.berth.host.api.volume.Volume;
import dev.berth.host.api.volume.VolumeRequest;
import dev.berth.host.spi.VolumeDriver;
import java.time.format.DateTimeFormatter;
import java.util.Optional;

/**
 * Docker's VolumeDriver protocol over {@link Volumes}: wire records in, wire records out. Scope is local: a dataset
 * lives in one host's pool ({@code berth migrate} moves it). Background work (reconciliation, schedules) is
 * {@link Background}'s; closing the driver stops it.
 */
public final class ZfsVolumeDriver implements VolumeDriver, HealthCheck, AutoCloseable {
    private final Volumes volumes;
    private final Background background;

    public ZfsVolumeDriver(Volumes volumes, Background background) {
        this.volumes = volumes;
        this.background = background;
    }

    @Override
    public void create(CreateRequest request) {
        Names.volume(request.name());
        volumes.create(request.name(), CreateOptions.parse(request.opts(), volumes.zfs().flavor()));
    }

    @Override
    public void remove(VolumeRequest request) {
        volumes.remove(request.name());
    }

    @Override
    public MountpointResponse mount(MountRequest request) {
        return new MountpointResponse(volumes.mount(request.name(), request.id()));
    }

    @Override
    public void unmount(MountRequest request) {
        volumes.unmount(request.name(), request.id());
    }

    /** Where the volume is mounted; empty while nobody has it mounted. */
    @Override
    public MountpointResponse path(VolumeRequest request) {
        VolumeInfo v = volumes.info(request.name());
        return new MountpointResponse(v.mounted() ? v.mountpoint() : "");
    }

    @Override
    public GetResponse get(VolumeRequest request) {
        VolumeInfo v = volumes.info(request.name());
        return new GetResponse(new Volume(v.name(), v.mounted() ? v.mountpoint() : null,
                DateTimeFormatter.ISO_INSTANT.format(v.createdAt()), v.status()));
    }

    @Override
    public ListResponse list() {
        return new ListResponse(volumes.list().stream()
                .map(v -> new Volume(v.name(), v.mounted() ? v.mountpoint() : null, null, null)).toList());
    }

    @Override
    public CapabilitiesResponse capabilities() {
        return CapabilitiesResponse.scope("local");
    }

    @Override
    public String name() {
        return "zfs";
    }

    /** The parent dataset answers through the zfs command. */
    @Override
    public Optional<String> problem() {
        try {
            if (!volumes.zfs().exists(volumes.parent())) {
                return Optional.of("parent dataset " + volumes.parent() + " is missing");
            }
            return Optional.empty();
        } catch (RuntimeException e) {
            return Optional.of("zfs does not answer: " + e.getMessage());
        }
    }

    @Override
    public void close() {
        background.close();
    }

    /** Volumes only, for tests. */
    Volumes volumes() {
        return volumes;
    }
}
