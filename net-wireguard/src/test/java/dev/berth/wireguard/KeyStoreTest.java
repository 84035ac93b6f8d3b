package dev.berth.wireguard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The private key store: owner-only files, atomic replacement, refusal of leaked keys. */
@Tag("unit")
class KeyStoreTest {
    @TempDir
    Path tmp;

    @Test
    void store_writesBase64InAnOwnerOnlyFile_inAnOwnerOnlyDirectory() throws Exception {
        KeyStore s = new KeyStore(tmp.resolve("keys"));
        KeyPair k = Keys.generate();
        s.store("wg-host", k.privateKey());
        Path f = s.file("wg-host");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(f)));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(s.directory())));
        assertEquals(k.privateKey().base64() + "\n", Files.readString(f));
        assertEquals(k, s.load("wg-host").orElseThrow());
    }

    @Test
    void store_replacesAtomically_andLeavesNoTemporaryFiles() throws Exception {
        KeyStore s = new KeyStore(tmp);
        KeyPair a = Keys.generate();
        KeyPair b = Keys.generate();
        s.store("h", a.privateKey());
        s.store("h", b.privateKey());
        assertEquals(b, s.load("h").orElseThrow());
        try (Stream<Path> files = Files.list(tmp)) {
            assertEquals(1, files.count());
        }
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(s.file("h"))));
    }

    @Test
    void loadOrCreate_generatesOnce_thenKeepsTheKey() {
        KeyStore s = new KeyStore(tmp.resolve("k"));
        assertTrue(s.load("h").isEmpty());
        KeyPair first = s.loadOrCreate("h");
        assertEquals(first, s.loadOrCreate("h"));
        assertEquals(first, new KeyStore(tmp.resolve("k")).load("h").orElseThrow());
        assertTrue(s.delete("h"));
        assertFalse(s.delete("h"));
    }

    @Test
    void load_refusesAKeyThatOthersCanRead() throws Exception {
        KeyStore s = new KeyStore(tmp);
        s.store("h", Keys.generate().privateKey());
        Files.setPosixFilePermissions(s.file("h"), PosixFilePermissions.fromString("rw-r--r--"));
        WireGuardException e = assertThrows(WireGuardException.class, () -> s.load("h"));
        assertEquals(WireGuardException.Kind.PERMISSION, e.kind());
        assertTrue(e.getMessage().contains("rw-r--r--"), e.getMessage());
    }

    @Test
    void names_cannotEscapeTheDirectory() {
        KeyStore s = new KeyStore(tmp);
        assertThrows(IllegalArgumentException.class, () -> s.file("../etc/x"));
        assertThrows(IllegalArgumentException.class, () -> s.file(".hidden"));
        assertThrows(IllegalArgumentException.class, () -> s.file(""));
    }
}
