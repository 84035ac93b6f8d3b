package dev.berth.zfs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The fake passes the same contract as the real zfs, so driver tests on it mean something. */
@Tag("unit")
class FakeZfsTest extends ZfsContract {
    private FakeZfs zfs;

    @BeforeEach
    void fresh() {
        zfs = new FakeZfs();
        zfs.pool("tank");
        zfs.create("tank/berth", Map.of(), false);
    }

    @Override
    Zfs zfs() {
        return zfs;
    }

    @Override
    String root() {
        return "tank/berth";
    }

    @Test
    void busyFor_failsThatManyDestroys() {
        zfs.create("tank/berth/a", Map.of(), false);
        zfs.busyFor(1);
        ZfsException e = assertThrows(ZfsException.class, () -> zfs.destroy("tank/berth/a", false));
        assertEquals(ZfsException.Kind.BUSY, e.kind());
        zfs.destroy("tank/berth/a", false);
    }

    @Test
    void classify_readsTheWordsOfZfsErrors() {
        assertEquals(ZfsException.Kind.NOT_FOUND, ZfsException.classify("cannot open 'a/b': dataset does not exist"));
        assertEquals(ZfsException.Kind.BUSY, ZfsException.classify("cannot destroy 'a/b': dataset is busy"));
        assertEquals(ZfsException.Kind.BUSY, ZfsException.classify("cannot unmount '/x': Device or resource busy"));
        assertEquals(ZfsException.Kind.EXISTS, ZfsException.classify("cannot create 'a': dataset already exists"));
        assertEquals(ZfsException.Kind.DEPENDENT,
                ZfsException.classify("cannot destroy 'a@s': snapshot has dependent clones"));
        assertEquals(ZfsException.Kind.INVALID, ZfsException.classify("'compression' must be one of 'on | off'"));
    }
}
