package dev.berth.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.exec.Command;
import dev.berth.exec.CommandResult;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Builds the test plugin's bundle for real (jlink, ldd, rootfs) and runs its Java inside the rootfs alone. */
@Tag("integration")
class BundleBuildIT {
    @TempDir
    Path dir;

    @Test
    void bundle_isReproducibleAndItsRuntimeRunsInsideTheRootfsAlone() throws Exception {
        Bundle first = TestPlugin.build(dir.resolve("a"));
        Bundle second = TestPlugin.build(dir.resolve("b"));
        assertEquals(first.digest(), second.digest(), "same inputs, same bundle");
        assertEquals(Files.readString(first.dir().resolve("config.json")),
                Files.readString(second.dir().resolve("config.json")));
        Path rootfs = first.dir().resolve("rootfs");
        assertTrue(Files.isExecutable(rootfs.resolve("opt/java/bin/java")));
        // chroot proves the rootfs holds every library the runtime loads: nothing comes from the host.
        // /proc is mounted as a container runtime would ($ORIGIN in the launcher's rpath needs /proc/self/exe).
        CommandResult r = Command.of("unshare", "--mount", "--pid", "--fork",
                "--mount-proc=" + rootfs.resolve("proc"), "chroot", rootfs.toString(), "/opt/java/bin/java",
                "-Xshare:auto", "-XX:+UseSerialGC", "-version").run();
        assertEquals(0, r.exitCode(), r.stderr());
        assertTrue(r.stderr().contains("17."), r.stderr());
        long mib = Files.walk(rootfs).filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum() >> 20;
        System.out.println("test plugin bundle: " + mib + " MiB, digest " + first.digest());
        assertTrue(mib < 150, mib + " MiB");
    }
}
