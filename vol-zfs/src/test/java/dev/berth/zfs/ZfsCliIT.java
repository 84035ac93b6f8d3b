package dev.berth.zfs;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The contract against the real {@code zfs} command and a real zfs-fuse pool on a file vdev. */
@Tag("integration")
class ZfsCliIT extends ZfsContract {
    private static ZfsFusePool pool;
    private static final ZfsCli ZFS = ZfsCli.standard();
    private static int n;
    private String root;

    @BeforeAll
    static void pool() {
        pool = ZfsFusePool.create("berthit", 256);
    }

    @AfterAll
    static void destroy() {
        if (pool != null) {
            pool.close();
        }
    }

    @BeforeEach
    void freshRoot() {
        root = pool.name() + "/t" + (n++);
        ZFS.create(root, Map.of(), false);
    }

    @AfterEach
    void dropRoot() {
        ZFS.destroy(root, true);
    }

    @Override
    Zfs zfs() {
        return ZFS;
    }

    @Override
    String root() {
        return root;
    }

    @Override
    void tick() {
        ZfsFusePool.sleep(1100);
    }

    @Test
    void probe_findsZfsFuse() {
        assertEquals(ZfsFlavor.ZFS_FUSE, ZFS.flavor());
    }
}
