package dev.berth.wireguard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Choosing the backend: probing order, the override, and what is said when there is neither. */
@Tag("unit")
class BackendsTest {
    private static final Path BIN = Path.of("/usr/bin/wireguard-go");

    private static Backends.Probe probe(boolean kernel, Path binary) {
        return new Backends.Probe() {
            @Override
            public boolean kernel() {
                return kernel;
            }

            @Override
            public Optional<Path> userspaceBinary(Map<String, String> env) {
                return Optional.ofNullable(binary);
            }
        };
    }

    @Test
    void auto_prefersTheKernel() {
        assertEquals(Backend.KERNEL, Backends.detect(Map.of(), probe(true, BIN)).backend());
    }

    @Test
    void auto_fallsBackToUserspace_whenTheModuleIsAbsent() {
        Backends.Selection s = Backends.detect(Map.of("BERTH_WG_BACKEND", "auto"), probe(false, BIN));
        assertEquals(Backend.USERSPACE, s.backend());
        assertEquals(BIN, s.userspaceBinary());
    }

    @Test
    void auto_withNeither_saysWhatToInstall() {
        WireGuardException e = assertThrows(WireGuardException.class,
                () -> Backends.detect(Map.of(), probe(false, null)));
        assertEquals(WireGuardException.Kind.NOT_SUPPORTED, e.kind());
        assertTrue(e.getMessage().contains("install wireguard-go"), e.getMessage());
    }

    @Test
    void override_forcesEitherBackend_withoutProbingTheKernel() {
        Backends.Probe noKernelQuestions = new Backends.Probe() {
            @Override
            public boolean kernel() {
                throw new AssertionError("a forced backend is not probed");
            }

            @Override
            public Optional<Path> userspaceBinary(Map<String, String> env) {
                return Optional.of(BIN);
            }
        };
        assertEquals(Backend.USERSPACE,
                Backends.detect(Map.of("BERTH_WG_BACKEND", "userspace"), noKernelQuestions).backend());
        assertEquals(Backend.KERNEL, Backends.detect(Map.of("BERTH_WG_BACKEND", " Kernel "), noKernelQuestions)
                .backend());
    }

    @Test
    void override_userspaceWithoutABinary_andUnknownValues_areRefused() {
        assertEquals(WireGuardException.Kind.NOT_SUPPORTED, assertThrows(WireGuardException.class,
                () -> Backends.detect(Map.of("BERTH_WG_BACKEND", "userspace"), probe(true, null))).kind());
        assertThrows(IllegalArgumentException.class,
                () -> Backends.detect(Map.of("BERTH_WG_BACKEND", "boringtun"), probe(true, BIN)));
    }

    @Test
    void findBinary_searchesPath_orTakesAPath(@TempDir Path dir) throws Exception {
        Path exe = dir.resolve("wireguard-go");
        Files.writeString(exe, "#!/bin/sh\n");
        assertTrue(Backends.findBinary("wireguard-go", dir.toString()).isEmpty(), "not executable yet");
        Files.setPosixFilePermissions(exe, PosixFilePermissions.fromString("rwx------"));
        assertEquals(Optional.of(exe), Backends.findBinary("wireguard-go", "/nonexistent:" + dir));
        assertEquals(Optional.of(exe), Backends.findBinary(exe.toString(), ""));
        assertTrue(Backends.findBinary("wireguard-go", "/nonexistent").isEmpty());
    }
}
