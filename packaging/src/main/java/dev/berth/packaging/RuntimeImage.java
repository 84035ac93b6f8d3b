package dev.berth.packaging;

import dev.berth.exec.Command;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.TreeSet;

/**
 * A Java runtime made with {@code jlink} from the build JDK, holding only the modules a plugin needs, with its own
 * CDS archive. Cached by (JDK, modules), so a rebuild of the same plugin costs nothing.
 *
 * <p>Equivalent to: {@code jlink --add-modules M,... --strip-debug --no-header-files --no-man-pages
 * --generate-cds-archive --output DIR}
 */
public final class RuntimeImage {
    private final Path javaHome;
    private final Path cacheRoot;

    public RuntimeImage(Path javaHome, Path cacheRoot) {
        this.javaHome = javaHome;
        this.cacheRoot = cacheRoot;
    }

    /** The build JDK (the one running this code) and a cache under {@code ~/.cache/berth/runtimes}. */
    public static RuntimeImage fromBuildJdk() {
        return new RuntimeImage(Path.of(System.getProperty("java.home")),
                Path.of(System.getProperty("user.home"), ".cache", "berth", "runtimes"));
    }

    /** The runtime directory for these modules, linking it if it is not cached yet. */
    public Path linked(List<String> extraModules) {
        TreeSet<String> modules = new TreeSet<>(JvmOptions.MODULES);
        modules.addAll(extraModules);
        String key = key(modules);
        Path dir = cacheRoot.resolve(key);
        if (Files.isExecutable(dir.resolve("bin/java")) && Files.exists(dir.resolve(".complete"))) {
            return dir;
        }
        Path jlink = javaHome.resolve("bin/jlink");
        if (!Files.isExecutable(jlink)) {
            throw new IllegalStateException("no jlink in " + javaHome + ": a full JDK (not a JRE) must build the bundles");
        }
        try {
            Files.createDirectories(cacheRoot);
            Path tmp = Files.createTempDirectory(cacheRoot, key + ".tmp");
            Files.delete(tmp);
            Command.of(jlink.toString(), "--add-modules", String.join(",", modules), "--strip-debug",
                    "--no-header-files", "--no-man-pages", "--generate-cds-archive", "--output", tmp.toString())
                    .timeout(Duration.ofMinutes(5)).check();
            Files.writeString(tmp.resolve(".complete"), String.join(",", modules) + "\n");
            deleteTree(dir);
            Files.move(tmp, dir);
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot link a runtime in " + cacheRoot + ": " + e.getMessage(), e);
        }
    }

    private String key(TreeSet<String> modules) {
        String release;
        try {
            release = Files.readString(javaHome.resolve("release"));
        } catch (IOException e) {
            release = javaHome.toString();
        }
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(release.getBytes(StandardCharsets.UTF_8));
            md.update(String.join(",", modules).getBytes(StandardCharsets.UTF_8));
            return "jre-" + HexFormat.of().formatHex(md.digest()).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var walk = Files.walk(dir)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
