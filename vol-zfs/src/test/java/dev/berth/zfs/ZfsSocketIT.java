package dev.berth.zfs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.host.PluginConfig;
import dev.berth.host.PluginHost;
import dev.berth.host.UnixHttp;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The VolumeDriver protocol on the wire, served by the plugin host, over a real zfs-fuse pool. */
@Tag("integration")
class ZfsSocketIT {
    private static ZfsFusePool pool;
    private static int n;
    @TempDir
    Path tmp;
    private String parent;
    private PluginHost host;
    private Path socket;

    @BeforeAll
    static void pool() {
        pool = ZfsFusePool.create("berthsock", 512);
    }

    @AfterAll
    static void destroy() {
        if (pool != null) {
            pool.close();
        }
    }

    @BeforeEach
    void start() {
        parent = pool.name() + "/p" + (n++);
        socket = tmp.resolve("zfs.sock");
        host = serve();
    }

    private PluginHost serve() {
        Volumes volumes = new Volumes(ZfsCli.standard(), parent, Clock.systemUTC());
        volumes.ensureParent();
        ZfsVolumeDriver driver = new ZfsVolumeDriver(volumes, Background.none(volumes));
        return PluginHost.builder(PluginConfig.defaults(socket).withName("berth/zfs")).driver(driver)
                .healthCheck(driver).start();
    }

    @AfterEach
    void stop() {
        host.close();
    }

    private UnixHttp.Reply post(String method, String json) {
        return UnixHttp.post(socket, "/VolumeDriver." + method, json);
    }

    @Test
    void lifecycle_quotaHolds_andCountsSurviveAPluginRestart() throws IOException {
        assertTrue(UnixHttp.post(socket, "/Plugin.Activate", "").body().contains("VolumeDriver"));
        assertEquals("{\"Capabilities\":{\"Scope\":\"local\"}}", post("Capabilities", "").body());
        UnixHttp.Reply create = post("Create", "{\"Name\":\"web\",\"Opts\":{\"size\":\"20M\",\"mode\":\"0750\","
                + "\"uid\":\"1000\"}}");
        assertEquals(200, create.status(), create.body());
        UnixHttp.Reply mount = post("Mount", "{\"Name\":\"web\",\"ID\":\"c1\"}");
        assertEquals(200, mount.status(), mount.body());
        Path dir = Path.of(mount.body().replaceAll(".*\"Mountpoint\":\"([^\"]+)\".*", "$1"));
        assertEquals(1000, Files.getAttribute(dir, "unix:uid"));
        assertEquals("rwxr-x---", java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(dir)));
        assertThrows(IOException.class, () -> {
            try (OutputStream out = Files.newOutputStream(dir.resolve("big"))) {
                byte[] mib = new byte[1 << 20];
                for (int i = 0; i < 30; i++) {
                    out.write(mib);
                }
                out.flush();
            }
        }, "a 30 MiB write into a 20M volume is refused");
        assertTrue(Files.size(dir.resolve("big")) <= 21L << 20, "size " + Files.size(dir.resolve("big")));

        host.close();
        host = serve();
        UnixHttp.Reply busy = post("Remove", "{\"Name\":\"web\"}");
        assertEquals(409, busy.status(), busy.body());
        assertTrue(busy.body().contains("volume web is mounted (1 mount(s), IDs c1)"), busy.body());
        assertTrue(post("Get", "{\"Name\":\"web\"}").body().contains("\"mounts\":1"));
        assertEquals(200, post("Unmount", "{\"Name\":\"web\",\"ID\":\"c1\"}").status());
        assertFalse(Files.exists(dir.resolve("big")), "unmounted: the directory is empty");
        assertEquals("{\"Mountpoint\":\"\"}", post("Path", "{\"Name\":\"web\"}").body());
        assertTrue(post("List", "").body().contains("{\"Name\":\"web\"}"), post("List", "").body());
        assertEquals(200, post("Remove", "{\"Name\":\"web\"}").status());
        assertEquals("{\"Volumes\":[]}", post("List", "").body());
    }

    @Test
    void badRequests_areRefusedWithTheReason_andChangeNothing() {
        UnixHttp.Reply unknown = post("Create", "{\"Name\":\"web\",\"Opts\":{\"colour\":\"red\"}}");
        assertEquals(400, unknown.status());
        assertTrue(unknown.body().contains("unknown option colour; valid options: size"), unknown.body());
        assertEquals(400, post("Create", "{\"Name\":\"../etc\",\"Opts\":{}}").status());
        assertEquals(400, post("Create", "{\"Name\":\"web\",\"Opts\":{\"compression\":\"lz4\"}}").status());
        assertEquals(404, post("Get", "{\"Name\":\"nope\"}").status());
        assertEquals("{\"Volumes\":[]}", post("List", "").body());
        assertEquals(List.of(), ZfsCli.standard().children(parent, List.of("name")).stream()
                .map(Map::keySet).toList());
    }
}
