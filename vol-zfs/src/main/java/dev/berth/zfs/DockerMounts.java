package dev.berth.zfs;

import dev.berth.docker.ContainerSummary;
import dev.berth.docker.DockerApi;
import dev.berth.docker.DockerException;
import dev.berth.docker.MountPoint;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which of our volumes this host's containers really use: the seam between reconciliation and the Docker Engine API,
 * asked from a background thread only (never inside a plugin call: the daemon may hold locks while it calls us).
 */
public interface DockerMounts extends AutoCloseable {
    /** Docker is not asked: nothing is ever cleared on its word. */
    DockerMounts NONE = Optional::empty;

    /** The names of our volumes that running, paused or restarting containers mount; empty when Docker did not answer. */
    Optional<Set<String>> volumesInUse();

    @Override
    default void close() {
    }

    /** Through the Engine API at {@code socket}; volumes whose driver is {@code driver} (with or without a tag). */
    static DockerMounts api(String socket, String driver) {
        if (socket == null || socket.isBlank()) {
            return NONE;
        }
        Logger log = LoggerFactory.getLogger(DockerMounts.class);
        DockerApi api = DockerApi.connect(Path.of(socket));
        return new DockerMounts() {
            @Override
            public Optional<Set<String>> volumesInUse() {
                try {
                    Set<String> out = new HashSet<>();
                    for (ContainerSummary c : api.containers(true)) {
                        if (!Set.of("running", "paused", "restarting").contains(c.state())) {
                            continue;
                        }
                        for (MountPoint m : c.mounts()) {
                            if (m.type().equals("volume") && ours(m.driver(), driver)) {
                                out.add(m.name());
                            }
                        }
                    }
                    return Optional.of(out);
                } catch (DockerException | IllegalArgumentException e) {
                    log.info("Docker did not answer for reconciliation: {}", e.getMessage());
                    return Optional.empty();
                }
            }

            @Override
            public void close() {
                api.close();
            }
        };
    }

    static boolean ours(String mountDriver, String driver) {
        return mountDriver.equals(driver) || mountDriver.startsWith(driver + ":");
    }
}
