package dev.berth.wireguard.keeper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The directory through which the {@code berth/wireguard} plugin tells the wireguard-go keeper which devices it wants
 * (on the host, under {@code /var/lib/berth}, which both containers mount):
 *
 * <pre>
 * ROOT/keeper.lock     held (fcntl) by the live keeper: its presence test
 * ROOT/want/IFACE      a device the plugin wants served (an empty file)
 * ROOT/error/IFACE     why the keeper could not start IFACE (text), until the next attempt succeeds
 * </pre>
 *
 * <p>Desired state in files outlives either process: a plugin restart leaves the want files, so the keeper keeps the
 * devices (and the traffic through them) while the plugin is away; a keeper restart reads them and starts the devices
 * again.
 */
public final class KeeperDir {
    private static final Pattern IFACE = Pattern.compile("[A-Za-z0-9_=+.-]{1,15}");
    private final Path root;

    public KeeperDir(Path root) {
        this.root = root;
    }

    public Path root() {
        return root;
    }

    /** True when an interface name is one the keeper will serve (Linux's rules, no path tricks). */
    public static boolean validName(String iface) {
        return IFACE.matcher(iface).matches() && !iface.startsWith(".");
    }

    /** True while a keeper process holds the lock. */
    public boolean keeperAlive() {
        Path lock = root.resolve("keeper.lock");
        if (!Files.exists(lock)) {
            return false;
        }
        try (FileChannel ch = FileChannel.open(lock, StandardOpenOption.WRITE)) {
            FileLock l = ch.tryLock();
            if (l == null) {
                return true;
            }
            l.release();
            return false;
        } catch (OverlappingFileLockException e) {
            return true; // this JVM holds it (a keeper in the same process, as in tests)
        } catch (IOException e) {
            return false;
        }
    }

    /** Takes the keeper's lock, waiting while another keeper holds it; held until the channel closes. */
    public FileChannel lockAsKeeper() {
        try {
            Files.createDirectories(root);
            FileChannel ch = FileChannel.open(root.resolve("keeper.lock"), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE);
            ch.lock();
            return ch;
        } catch (IOException e) {
            throw new UncheckedIOException("lock " + root.resolve("keeper.lock") + ": " + e.getMessage(), e);
        }
    }

    /** The devices wanted now. */
    public Set<String> wanted() {
        Set<String> out = new TreeSet<>();
        Path dir = root.resolve("want");
        if (!Files.isDirectory(dir)) {
            return out;
        }
        try (Stream<Path> s = Files.list(dir)) {
            s.map(p -> p.getFileName().toString()).filter(KeeperDir::validName).forEach(out::add);
        } catch (IOException e) {
            throw new UncheckedIOException("list " + dir + ": " + e.getMessage(), e);
        }
        return out;
    }

    public boolean isWanted(String iface) {
        return Files.exists(file("want", iface));
    }

    /** Asks for device {@code iface} (clearing an earlier error). */
    public void want(String iface) {
        clearError(iface);
        write(file("want", iface), "");
    }

    public void unwant(String iface) {
        delete(file("want", iface));
    }

    /** Why the keeper could not start {@code iface}, if it said so since the device was last wanted. */
    public Optional<String> error(String iface) {
        Path p = file("error", iface);
        try {
            return Optional.of(Files.readString(p, StandardCharsets.UTF_8).trim());
        } catch (java.nio.file.NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            return Optional.of("(unreadable " + p + ": " + e.getMessage() + ")");
        }
    }

    public void reportError(String iface, String message) {
        write(file("error", iface), message + "\n");
    }

    public void clearError(String iface) {
        delete(file("error", iface));
    }

    private Path file(String kind, String iface) {
        if (!validName(iface)) {
            throw new IllegalArgumentException("not an interface name: '" + iface + "'");
        }
        return root.resolve(kind).resolve(iface);
    }

    /** Atomically: a temporary file renamed into place, so a reader never sees half a file. */
    private static void write(Path p, String text) {
        try {
            Files.createDirectories(p.getParent());
            Path tmp = p.resolveSibling("." + p.getFileName() + ".tmp");
            Files.writeString(tmp, text, StandardCharsets.UTF_8);
            Files.move(tmp, p, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("write " + p + ": " + e.getMessage(), e);
        }
    }

    private static void delete(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            throw new UncheckedIOException("delete " + p + ": " + e.getMessage(), e);
        }
    }
}
