package dev.berth.wireguard;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * A host's private keys on its own disk, one file per name ({@code DIR/NAME.key}, base64 and a newline, as wg(8)
 * reads them), readable by the owner (root) alone.
 *
 * <ul>
 *   <li>The directory is created {@code 0700} when missing; an existing one is used as it is.</li>
 *   <li>A key is written to a new temporary file in the same directory that is <em>created</em> {@code 0600}
 *       ({@code open(O_CREAT|O_EXCL, 0600)}: there is no moment when it exists with wider permissions), synced, then
 *       renamed over the old file atomically. A reader sees the old key or the new one, never a torn file.</li>
 *   <li>A key file that group or others may read is refused ({@link WireGuardException.Kind#PERMISSION}): it may have
 *       leaked, and using it silently would hide that.</li>
 * </ul>
 * The private key never leaves this store except into the host's own WireGuard device.
 */
public final class KeyStore {
    private static final Set<PosixFilePermission> OWNER_RW = EnumSet.of(PosixFilePermission.OWNER_READ,
            PosixFilePermission.OWNER_WRITE);
    private static final Set<PosixFilePermission> OWNER_DIR = PosixFilePermissions.fromString("rwx------");
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");

    private final Path dir;

    /** A store in {@code dir} (for the driver: under its state directory, such as /var/lib/berth/wireguard). */
    public KeyStore(Path dir) {
        this.dir = dir;
    }

    public Path directory() {
        return dir;
    }

    /** The file that holds the key named {@code name}. */
    public Path file(String name) {
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("a key name is 1-100 of [A-Za-z0-9._-], starting alphanumeric: '"
                    + name + "'");
        }
        return dir.resolve(name + ".key");
    }

    /** The stored key, or empty when there is none. */
    public Optional<KeyPair> load(String name) {
        Path f = file(name);
        try {
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(f);
            if (!OWNER_RW.containsAll(perms)) {
                throw new WireGuardException(WireGuardException.Kind.PERMISSION, 0, "load key " + f,
                        "the file is " + PosixFilePermissions.toString(perms)
                                + ": a private key must be readable by its owner alone (0600); it may have leaked");
            }
            String text = Files.readString(f, StandardCharsets.US_ASCII);
            return Optional.of(KeyPair.of(PrivateKey.fromBase64(text)));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("read key " + f + ": " + e.getMessage(), e);
        }
    }

    /** The stored key; a new one is generated and stored when there is none. */
    public KeyPair loadOrCreate(String name) {
        Optional<KeyPair> k = load(name);
        if (k.isPresent()) {
            return k.get();
        }
        KeyPair fresh = Keys.generate();
        store(name, fresh.privateKey());
        return fresh;
    }

    /** Stores (or replaces, atomically) the key named {@code name}. */
    public void store(String name, PrivateKey key) {
        Path target = file(name);
        createDirectory();
        Path tmp = dir.resolve("." + name + ".key." + UUID.randomUUID().toString().substring(0, 8) + ".tmp");
        try {
            try (FileChannel ch = FileChannel.open(tmp,
                    EnumSet.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                    PosixFilePermissions.asFileAttribute(OWNER_RW))) {
                ch.write(ByteBuffer.wrap((key.base64() + "\n").getBytes(StandardCharsets.US_ASCII)));
                ch.force(true);
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                throw new UncheckedIOException("store key " + target + ": this filesystem cannot rename atomically",
                        e);
            }
            syncDirectory();
        } catch (IOException e) {
            throw new UncheckedIOException("store key " + target + ": " + e.getMessage(), e);
        } finally {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // best effort: a leftover temporary file is 0600 too
            }
        }
    }

    /** Deletes the key named {@code name}; true if there was one. */
    public boolean delete(String name) {
        try {
            return Files.deleteIfExists(file(name));
        } catch (IOException e) {
            throw new UncheckedIOException("delete key " + file(name) + ": " + e.getMessage(), e);
        }
    }

    private void createDirectory() {
        try {
            Files.createDirectories(dir.getParent() == null ? dir : dir.getParent());
            Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(OWNER_DIR));
        } catch (FileAlreadyExistsException e) {
            if (!Files.isDirectory(dir)) {
                throw new UncheckedIOException("key store " + dir + " is not a directory", e);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("create key store " + dir + ": " + e.getMessage(), e);
        }
    }

    private void syncDirectory() {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException ignored) {
            // not every filesystem lets a directory be synced; the rename itself is atomic regardless
        }
    }
}
