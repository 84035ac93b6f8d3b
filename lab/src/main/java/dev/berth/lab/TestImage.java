package dev.berth.lab;

import dev.berth.exec.Command;
import dev.berth.exec.DockerCli;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;

/**
 * The small test image {@code berth/testbox}, made without any registry: Debian's static busybox with one symlink per
 * applet in /bin ({@code sh ping nc nslookup wget ...}), a minimal /etc/passwd and /etc/group, and /tmp, tarred
 * reproducibly and loaded with {@code docker import}.
 *
 * <pre>{@code
 * new TestImage(Path.of("/var/lib/berth-lab/testbox")).ensureLoaded(DockerCli.forHost("unix:///run/docker.sock"));
 * }</pre>
 */
public final class TestImage {
    public static final String NAME = "berth/testbox";
    /** Debian's busybox-static; a dynamically linked busybox would not run in an image without a libc. */
    static final Path BUSYBOX = Path.of("/bin/busybox");
    static final String PASSWD = "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n";
    static final String GROUP = "root:x:0:\nnogroup:x:65534:\n";

    private final Path workDir;
    private Path built;

    /** @param workDir where the root filesystem and the tarball are built (created when missing) */
    public TestImage(Path workDir) {
        this.workDir = workDir;
    }

    /**
     * Builds the root filesystem and the tarball, afresh each time (it takes a fraction of a second). Equivalent to:
     * {@code cp /bin/busybox rootfs/bin/; for a in $(busybox --list); do ln -s busybox rootfs/bin/$a; done; ...;
     * tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C rootfs -cf testbox.tar .}
     */
    public Path tarball() {
        requireStaticBusybox();
        Path rootfs = workDir.resolve("rootfs");
        Path tar = workDir.resolve("testbox.tar");
        Path tmp = workDir.resolve("testbox.tar.tmp");
        try {
            Files.createDirectories(workDir);
            Command.of("rm", "-rf", "--one-file-system", rootfs.toString()).check();
            for (String dir : List.of("bin", "etc", "root", "tmp")) {
                Files.createDirectories(rootfs.resolve(dir));
                Files.setPosixFilePermissions(rootfs.resolve(dir), PosixFilePermissions.fromString("rwxr-xr-x"));
            }
            Files.setPosixFilePermissions(rootfs, PosixFilePermissions.fromString("rwxr-xr-x"));
            Path busybox = rootfs.resolve("bin/busybox");
            Files.copy(BUSYBOX, busybox, StandardCopyOption.REPLACE_EXISTING);
            Files.setPosixFilePermissions(busybox, PosixFilePermissions.fromString("rwxr-xr-x"));
            for (String applet : applets()) {
                Files.createSymbolicLink(rootfs.resolve("bin").resolve(applet), Path.of("busybox"));
            }
            writeFile(rootfs.resolve("etc/passwd"), PASSWD);
            writeFile(rootfs.resolve("etc/group"), GROUP);
            Command.of("chmod", "1777", rootfs.resolve("tmp").toString()).check();
            Command.of("tar", "--sort=name", "--mtime=@0", "--owner=0", "--group=0", "--numeric-owner",
                    "-C", rootfs.toString(), "-cf", tmp.toString(), ".").check();
            Files.move(tmp, tar, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new LabException("cannot build the " + NAME + " root filesystem in " + workDir + ": " + e, e);
        }
        return tar;
    }

    /**
     * Imports the image into the daemon unless it is already there, building the tarball on first use (once per
     * instance). Equivalent to:
     * {@code docker image inspect berth/testbox || docker import --change 'CMD ["sh"]' testbox.tar berth/testbox}.
     *
     * @return whether it imported
     */
    public boolean ensureLoaded(DockerCli docker) {
        if (present(docker)) {
            return false;
        }
        Path tar;
        synchronized (this) {
            if (built == null || !Files.isRegularFile(built)) {
                built = tarball();
            }
            tar = built;
        }
        docker.command("import", "--change", "CMD [\"sh\"]", tar.toString(), NAME)
                .timeout(Duration.ofMinutes(2)).check();
        return true;
    }

    /** Equivalent to: {@code docker image inspect --format {{.Id}} berth/testbox} exiting 0. */
    public static boolean present(DockerCli docker) {
        return docker.command("image", "inspect", "--format", "{{.Id}}", NAME).timeout(Duration.ofSeconds(30))
                .run().ok();
    }

    /** The applet names busybox reports ({@code busybox --list}), without {@code busybox} itself. */
    static List<String> applets() {
        String out = Command.of(BUSYBOX.toString(), "--list").check().stdout();
        return out.lines().map(String::strip)
                .filter(a -> !a.isEmpty() && !a.equals("busybox") && !a.contains("/") && !a.startsWith("."))
                .sorted().toList();
    }

    /** Fails clearly unless /bin/busybox exists and has no ELF interpreter (is statically linked). */
    static void requireStaticBusybox() {
        if (!Files.isExecutable(BUSYBOX)) {
            throw new LabException(BUSYBOX + " is missing: install Debian's busybox-static");
        }
        try (InputStream in = Files.newInputStream(BUSYBOX)) {
            if (hasInterpreter(in.readNBytes(64 * 1024))) {
                throw new LabException(BUSYBOX + " is dynamically linked and would not run inside " + NAME
                        + ": install Debian's busybox-static instead of busybox");
            }
        } catch (IOException e) {
            throw new LabException("cannot read " + BUSYBOX + ": " + e.getMessage(), e);
        }
    }

    /** Whether a 64-bit little-endian ELF header and program headers list a PT_INTERP (dynamic linker). */
    static boolean hasInterpreter(byte[] head) {
        if (head.length < 64 || head[0] != 0x7f || head[1] != 'E' || head[2] != 'L' || head[3] != 'F'
                || head[4] != 2 || head[5] != 1) {
            throw new LabException("not a 64-bit little-endian ELF file");
        }
        ByteBuffer b = ByteBuffer.wrap(head).order(ByteOrder.LITTLE_ENDIAN);
        long phoff = b.getLong(0x20);
        int phentsize = Short.toUnsignedInt(b.getShort(0x36));
        int phnum = Short.toUnsignedInt(b.getShort(0x38));
        for (int i = 0; i < phnum; i++) {
            long at = phoff + (long) i * phentsize;
            if (at + 4 > head.length) {
                break;
            }
            if (b.getInt((int) at) == 3) {
                return true;
            }
        }
        return false;
    }

    private static void writeFile(Path file, String text) throws IOException {
        Files.writeString(file, text, StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
    }
}
