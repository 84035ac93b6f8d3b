package dev.berth.host.testvol;

import dev.berth.host.api.volume.CapabilitiesResponse;
import dev.berth.host.api.volume.CreateRequest;
import dev.berth.host.api.volume.GetResponse;
import dev.berth.host.api.volume.ListResponse;
import dev.berth.host.api.volume.MountRequest;
import dev.berth.host.api.volume.MountpointResponse;
import dev.berth.host.api.volume.Volume;
import dev.berth.host.api.volume.VolumeRequest;
import dev.berth.host.error.BadRequestException;
import dev.berth.host.error.ConflictException;
import dev.berth.host.error.NotFoundException;
import dev.berth.host.spi.VolumeDriver;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * TEST ONLY: a volume driver that keeps each volume as a directory under a root. It exists to prove the whole path
 * (packaging, installation, activation by a real dockerd, {@code docker run -v}) before a real driver exists.
 */
public final class DirVolumeDriver implements VolumeDriver {
    private static final Pattern NAME = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}");
    private final Path root;
    private final Map<String, Set<String>> mounts = new HashMap<>();

    public DirVolumeDriver(Path root) {
        this.root = root;
        try {
            Files.createDirectories(root);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public synchronized void create(CreateRequest request) {
        Path dir = dir(request.name());
        if (!request.opts().isEmpty()) {
            throw new BadRequestException("unknown options " + request.opts().keySet() + ": this driver takes none");
        }
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public synchronized void remove(VolumeRequest request) {
        Path dir = existing(request.name());
        if (!mounts.getOrDefault(request.name(), Set.of()).isEmpty()) {
            throw new ConflictException("volume " + request.name() + " is mounted by " + mounts.get(request.name()));
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList()) {
                Files.delete(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public synchronized MountpointResponse mount(MountRequest request) {
        Path dir = existing(request.name());
        mounts.computeIfAbsent(request.name(), k -> new HashSet<>()).add(request.id());
        return new MountpointResponse(dir.toString());
    }

    @Override
    public synchronized void unmount(MountRequest request) {
        existing(request.name());
        mounts.getOrDefault(request.name(), new HashSet<>()).remove(request.id());
    }

    @Override
    public MountpointResponse path(VolumeRequest request) {
        return new MountpointResponse(existing(request.name()).toString());
    }

    @Override
    public GetResponse get(VolumeRequest request) {
        return new GetResponse(new Volume(request.name(), existing(request.name()).toString(), null, null));
    }

    @Override
    public ListResponse list() {
        try (Stream<Path> dirs = Files.list(root)) {
            List<Volume> volumes = dirs.filter(Files::isDirectory).sorted()
                    .map(d -> new Volume(d.getFileName().toString(), d.toString(), null, null)).toList();
            return new ListResponse(volumes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public CapabilitiesResponse capabilities() {
        return CapabilitiesResponse.scope("local");
    }

    private Path dir(String name) {
        if (!NAME.matcher(name).matches()) {
            throw new BadRequestException("invalid volume name '" + name + "': use letters, digits, '_', '.', '-'");
        }
        return root.resolve(name);
    }

    private Path existing(String name) {
        Path dir = dir(name);
        if (!Files.isDirectory(dir)) {
            throw new NotFoundException("no such volume: " + name);
        }
        return dir;
    }
}
