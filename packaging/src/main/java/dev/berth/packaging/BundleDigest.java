package dev.berth.packaging;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;

/**
 * A content digest of a bundle (every path, type, permission and byte, in a fixed order) and the fixed timestamps
 * that make two builds of the same inputs identical. The installer compares digests to decide whether anything changed.
 */
final class BundleDigest {
    /** Every file of a bundle carries this modification time, so the tar Docker makes of it is stable too. */
    static final FileTime EPOCH = FileTime.fromMillis(1_767_225_600_000L); // 2026-01-01T00:00:00Z

    private BundleDigest() {
    }

    static String of(Path rootfs, byte[] config) throws IOException {
        MessageDigest md = sha256();
        md.update(config);
        List<Path> entries;
        try (var walk = Files.walk(rootfs)) {
            entries = walk.sorted(Comparator.comparing(p -> rootfs.relativize(p).toString())).toList();
        }
        byte[] buf = new byte[1 << 16];
        for (Path p : entries) {
            String rel = rootfs.relativize(p).toString();
            md.update(rel.getBytes(StandardCharsets.UTF_8));
            md.update((byte) 0);
            if (Files.isSymbolicLink(p)) {
                md.update(("L" + Files.readSymbolicLink(p)).getBytes(StandardCharsets.UTF_8));
            } else if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                md.update(("D" + perms(p)).getBytes(StandardCharsets.UTF_8));
            } else {
                md.update(("F" + perms(p)).getBytes(StandardCharsets.UTF_8));
                try (InputStream in = Files.newInputStream(p)) {
                    for (int n; (n = in.read(buf)) > 0; ) {
                        md.update(buf, 0, n);
                    }
                }
            }
            md.update((byte) 0);
        }
        return HexFormat.of().formatHex(md.digest());
    }

    /** Sets every modification time under dir (links excepted) to {@link #EPOCH}, deepest first. */
    static void normaliseTimes(Path dir) throws IOException {
        try (var walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                if (!Files.isSymbolicLink(p)) {
                    Files.setLastModifiedTime(p, EPOCH);
                }
            }
        }
    }

    private static String perms(Path p) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS));
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
