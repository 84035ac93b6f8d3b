package dev.berth.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.berth.exec.Command;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@Tag("unit")
class TestImageTest {
    @Test
    void hasInterpreter_readsProgramHeaders() {
        assertTrue(TestImage.hasInterpreter(elf(1, 6, 3)));
        assertFalse(TestImage.hasInterpreter(elf(1, 6, 4)));
        assertThrows(LabException.class, () -> TestImage.hasInterpreter(new byte[64]));
    }

    @Test
    void tarball_isReproducibleAndHasTheApplets(@TempDir Path dir) throws Exception {
        assumeTrue(Files.isExecutable(TestImage.BUSYBOX), "needs Debian's busybox-static at /bin/busybox");
        Path first = new TestImage(dir.resolve("a")).tarball();
        Path second = new TestImage(dir.resolve("b")).tarball();
        assertEquals(-1L, Files.mismatch(first, second), "two builds differ");
        List<String> listing = Command.of("tar", "-tvf", first.toString()).check().stdout().lines().toList();
        for (String applet : List.of("sh", "ping", "nc", "nslookup", "wget")) {
            assertTrue(listing.stream().anyMatch(l -> l.endsWith("./bin/" + applet + " -> busybox")), applet);
        }
        assertTrue(listing.stream().anyMatch(l -> l.startsWith("drwxrwxrwt 0/0") && l.endsWith("./tmp/")), "tmp");
        assertTrue(listing.stream().anyMatch(l -> l.contains("1970-01-01") && l.endsWith("./etc/passwd")), "passwd");
    }

    /** A minimal ELF64 LE header with {@code phnum} program headers, the last of type {@code lastType}. */
    private static byte[] elf(int phnumBefore, int type, int lastType) {
        int phnum = phnumBefore + 1;
        ByteBuffer b = ByteBuffer.allocate(64 + 56 * phnum).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {0x7f, 'E', 'L', 'F', 2, 1});
        b.putLong(0x20, 64);
        b.putShort(0x36, (short) 56);
        b.putShort(0x38, (short) phnum);
        for (int i = 0; i < phnumBefore; i++) {
            b.putInt(64 + 56 * i, type);
        }
        b.putInt(64 + 56 * phnumBefore, lastType);
        return b.array();
    }
}
