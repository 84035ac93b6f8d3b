package dev.berth.migrate.agent;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * What a source agent must remember across its own death: a migration past the point where the source container was
 * stopped ({@code DIR/<id>.json}, written before the stop and at each step after it, removed when the migration
 * ended either way). At start the agent finishes or undoes each one it finds ({@link Agent#recover}): the container
 * must end up running on exactly one host.
 */
final class Journal {
    /**
     * @param phase {@code stopped} (the source is stopped or stopping; the target has not created the container),
     *              {@code committed} (the target created it, not started), {@code started} (the target runs it)
     */
    record Entry(@JsonProperty("id") String id, @JsonProperty("container") String container,
                 @JsonProperty("containerId") String containerId, @JsonProperty("target") String target,
                 @JsonProperty("policy") String policy, @JsonProperty("retries") int retries,
                 @JsonProperty("keepSource") boolean keepSource, @JsonProperty("volumes") List<String> volumes,
                 @JsonProperty("finals") List<AgentWire.Volume> finals, @JsonProperty("phase") String phase) {
        Entry at(String next) {
            return new Entry(id, container, containerId, target, policy, retries, keepSource, volumes, finals, next);
        }

        Entry withFinals(List<AgentWire.Volume> f) {
            return new Entry(id, container, containerId, target, policy, retries, keepSource, volumes, f, phase);
        }
    }

    private final Path dir;

    Journal(Path dir) {
        this.dir = dir;
    }

    /** Atomically (a temporary file renamed into place), and synced: it must survive a crash right after. */
    void write(Entry e) {
        try {
            Files.createDirectories(dir);
            Path tmp = dir.resolve("." + e.id() + ".tmp");
            try (var ch = java.nio.channels.FileChannel.open(tmp, java.nio.file.StandardOpenOption.CREATE,
                    java.nio.file.StandardOpenOption.WRITE, java.nio.file.StandardOpenOption.TRUNCATE_EXISTING)) {
                ch.write(java.nio.ByteBuffer.wrap(AgentWire.JSON.writeValueAsBytes(e)));
                ch.force(true);
            }
            Files.move(tmp, dir.resolve(e.id() + ".json"), StandardCopyOption.ATOMIC_MOVE,
                    StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException ex) {
            throw new UncheckedIOException("journal " + dir + ": " + ex.getMessage(), ex);
        }
    }

    void remove(String id) {
        try {
            Files.deleteIfExists(dir.resolve(id + ".json"));
        } catch (IOException ex) {
            throw new UncheckedIOException("journal " + dir + ": " + ex.getMessage(), ex);
        }
    }

    List<Entry> pending() {
        List<Entry> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return out;
        }
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".json")).sorted().toList()) {
                out.add(AgentWire.JSON.readValue(f.toFile(), Entry.class));
            }
        } catch (IOException ex) {
            throw new UncheckedIOException("journal " + dir + ": " + ex.getMessage(), ex);
        }
        return out;
    }
}
