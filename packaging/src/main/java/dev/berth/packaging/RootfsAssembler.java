package dev.berth.packaging;

import dev.berth.exec.Command;
import dev.berth.exec.CommandResult;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Builds a plugin's root filesystem from this host's files only (no registry is needed): the jlinked runtime, the
 * plugin's jars, the host binaries it names, and exactly the shared libraries {@code ldd} says they load.
 *
 * <pre>
 * rootfs/opt/java/...            the runtime (bin/java, lib/modules, lib/server/libjvm.so, CDS archive)
 * rootfs/opt/berth/lib/*.jar     the plugin and its dependencies
 * rootfs/lib/x86_64-linux-gnu/.. glibc and friends, as ldd resolved them on the build host (for the runtime, the
 *                                named binaries and the native libraries inside the jars)
 * rootfs/etc/{passwd,group,hosts,nsswitch.conf}, rootfs/tmp, rootfs/run/docker/plugins
 * </pre>
 */
final class RootfsAssembler {
    private static final Pattern LDD_ARROW = Pattern.compile("^\\s*(\\S+) => (/\\S+) \\(0x[0-9a-f]+\\)\\s*$");
    private static final Pattern LDD_PLAIN = Pattern.compile("^\\s*(/\\S+) \\(0x[0-9a-f]+\\)\\s*$");

    private RootfsAssembler() {
    }

    static void assemble(Path rootfs, Path runtime, List<Path> jars, List<String> binaries) throws IOException {
        copyTree(runtime, rootfs.resolve("opt/java"));
        Files.deleteIfExists(rootfs.resolve("opt/java/.complete"));
        Path lib = Files.createDirectories(rootfs.resolve("opt/berth/lib"));
        for (Path jar : jars) {
            Files.copy(jar, lib.resolve(jar.getFileName()), StandardCopyOption.REPLACE_EXISTING);
        }
        List<Path> elves = new ArrayList<>();
        for (String binary : binaries) {
            Path host = Path.of(binary);
            if (!Files.isExecutable(host)) {
                throw new IllegalStateException("the plugin needs " + binary + " but this host has none: install it");
            }
            Path inRoot = rootfs.resolve(binary.substring(1));
            Files.createDirectories(inRoot.getParent());
            Files.copy(host.toRealPath(), inRoot, StandardCopyOption.REPLACE_EXISTING);
            elves.add(inRoot);
        }
        try (var walk = Files.walk(rootfs.resolve("opt/java"))) {
            walk.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS))
                    .filter(p -> p.getFileName().toString().endsWith(".so") || p.getParent().endsWith("bin"))
                    .sorted().forEach(elves::add);
        }
        Path natives = Files.createTempDirectory("berth-jar-natives");
        try {
            elves.addAll(jarNatives(jars, natives));
            for (String dep : sharedLibraries(elves, rootfs)) {
                Path inRoot = rootfs.resolve(dep.substring(1));
                Files.createDirectories(inRoot.getParent());
                Files.copy(Path.of(dep).toRealPath(), inRoot, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            RuntimeImage.deleteTree(natives);
        }
        etc(rootfs);
    }

    /**
     * The native libraries inside the jars for this machine's platform (for example sqlite-jdbc's
     * {@code org/sqlite/native/Linux/x86_64/libsqlitejdbc.so}), extracted so that ldd can say what they load: the
     * library is unpacked at run time, but the libraries it needs must already be in the rootfs.
     */
    static List<Path> jarNatives(List<Path> jars, Path into) throws IOException {
        String arch = System.getProperty("os.arch").equals("amd64") ? "x86_64" : System.getProperty("os.arch");
        Pattern platform = Pattern.compile("(?i).*(linux|native).*(" + Pattern.quote(arch) + "|amd64).*\\.so(\\.\\d+)*$");
        Pattern foreign = Pattern.compile("(?i).*(musl|android|alpine|windows|mac|darwin|freebsd).*");
        List<Path> out = new ArrayList<>();
        int n = 0;
        for (Path jar : jars) {
            try (java.util.zip.ZipFile zip = new java.util.zip.ZipFile(jar.toFile())) {
                for (var e : java.util.Collections.list(zip.entries())) {
                    if (e.isDirectory() || !platform.matcher(e.getName()).matches()
                            || foreign.matcher(e.getName()).matches()) {
                        continue;
                    }
                    Path target = into.resolve((n++) + "-" + Path.of(e.getName()).getFileName());
                    try (var in = zip.getInputStream(e)) {
                        Files.copy(in, target);
                    }
                    out.add(target);
                }
            }
        }
        return out;
    }

    /** Every library the given ELF files load, as absolute host paths, resolved by ldd. */
    static Set<String> sharedLibraries(List<Path> elves, Path rootfs) {
        Set<String> libs = new TreeSet<>();
        for (Path elf : elves) {
            // the JDK's own libraries find libjvm.so at run time through the loaded JVM; tell ldd where it is
            CommandResult r = Command.of("ldd", elf.toString()).env(java.util.Map.of("LD_LIBRARY_PATH",
                    rootfs.resolve("opt/java/lib") + ":" + rootfs.resolve("opt/java/lib/server"))).run();
            if (!r.ok()) {
                continue; // "not a dynamic executable": scripts, static binaries
            }
            libs.addAll(parseLdd(r.stdout(), elf, rootfs));
        }
        return libs;
    }

    static List<String> parseLdd(String output, Path elf, Path rootfs) {
        List<String> libs = new ArrayList<>();
        for (String line : output.split("\n")) {
            if (line.contains("not found")) {
                throw new IllegalStateException(elf + " needs a library this host lacks: " + line.trim());
            }
            Matcher m = LDD_ARROW.matcher(line);
            String path = m.matches() ? m.group(2) : null;
            if (path == null) {
                Matcher p = LDD_PLAIN.matcher(line);
                path = p.matches() ? p.group(1) : null;
            }
            if (path != null && !path.startsWith(rootfs.toString())) {
                libs.add(path);
            }
        }
        return libs;
    }

    private static void etc(Path rootfs) throws IOException {
        Path etc = Files.createDirectories(rootfs.resolve("etc"));
        Files.writeString(etc.resolve("passwd"), "root:x:0:0:root:/root:/sbin/nologin\n");
        Files.writeString(etc.resolve("group"), "root:x:0:\n");
        Files.writeString(etc.resolve("hosts"), "127.0.0.1 localhost\n::1 localhost\n");
        Files.writeString(etc.resolve("nsswitch.conf"), "passwd: files\ngroup: files\nhosts: files dns\n");
        for (String dir : List.of("tmp", "run/docker/plugins", "proc", "sys", "dev", "root", "var/lib/berth")) {
            Files.createDirectories(rootfs.resolve(dir));
        }
        Files.setPosixFilePermissions(rootfs.resolve("tmp"), PosixFilePermissions.fromString("rwxrwxrwx"));
    }

    static void copyTree(Path from, Path to) throws IOException {
        Files.walkFileTree(from, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                Files.createDirectories(to.resolve(from.relativize(dir).toString()));
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Path target = to.resolve(from.relativize(file).toString());
                if (attrs.isSymbolicLink()) {
                    Files.createSymbolicLink(target, Files.readSymbolicLink(file));
                } else {
                    Files.copy(file, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.COPY_ATTRIBUTES);
                }
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
