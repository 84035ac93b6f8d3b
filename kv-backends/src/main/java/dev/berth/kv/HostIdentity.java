package dev.berth.kv;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.security.SecureRandom;
import java.util.regex.Pattern;

/**
 * This host's stable ID in the cluster: 16 random bytes in hex, made once and kept in {@code /var/lib/berth/host-id}
 * (a host mount every Berth plugin shares). Not {@code /etc/machine-id}: cloned machines and the lab's hosts share
 * that file. Published with link(2), so a crash never leaves a half ID
 * and two plugins starting at once agree.
 */
public final class HostIdentity {
    public static final Path DEFAULT_FILE = Path.of("/var/lib/berth/host-id");
    private static final Pattern ID = Pattern.compile("[0-9a-f]{32}");

    private HostIdentity() {
    }

    public static String load(Path file) {
        try {
            if (Files.exists(file)) {
                String id = Files.readString(file, StandardCharsets.UTF_8).trim();
                if (!ID.matcher(id).matches()) {
                    throw new IllegalArgumentException(file + " does not hold a host ID (32 hex digits): '" + id + "'");
                }
                return id;
            }
            byte[] raw = new byte[16];
            new SecureRandom().nextBytes(raw);
            String id = HexFormat.of().formatHex(raw);
            Files.createDirectories(file.toAbsolutePath().getParent());
            Path tmp = file.resolveSibling(file.getFileName() + "." + ProcessHandle.current().pid() + ".tmp");
            Files.writeString(tmp, id + "\n", StandardCharsets.UTF_8);
            try {
                // link(2) refuses an existing name: of two plugins racing to create it, the first wins and both read it
                Files.createLink(file, tmp);
            } catch (java.nio.file.FileAlreadyExistsException raced) {
                // the other one was first
            } finally {
                Files.deleteIfExists(tmp);
            }
            return Files.readString(file, StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or create the host ID in " + file + ": " + e.getMessage(), e);
        }
    }
}
