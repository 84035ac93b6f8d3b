package dev.berth.ipam;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.host.PluginConfig;
import dev.berth.host.PluginHost;
import dev.berth.host.UnixHttp;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The IpamDriver protocol on the wire, as Docker speaks it, against the driver served by the plugin host. */
@Tag("integration")
class IpamSocketIT {
    @TempDir
    Path tmp;
    IpamFixture fx;
    PluginHost host;
    Path socket;

    @BeforeEach
    void start() {
        fx = new IpamFixture(tmp);
        socket = tmp.resolve("ipam.sock");
        BerthIpam ipam = fx.host("h1");
        host = PluginHost.builder(PluginConfig.defaults(socket).withName("berth/ipam")).driver(ipam)
                .healthCheck(ipam).start();
    }

    @AfterEach
    void stop() {
        host.close();
        fx.close();
    }

    private UnixHttp.Reply post(String method, String json) {
        return UnixHttp.post(socket, "/IpamDriver." + method, json);
    }

    @Test
    void activation_andTheWholeLifecycleOfANetwork() {
        UnixHttp.Reply activate = UnixHttp.post(socket, "/Plugin.Activate", "");
        assertEquals(200, activate.status());
        assertTrue(activate.body().contains("IpamDriver"), activate.body());
        assertEquals("{\"RequiresMACAddress\":true,\"RequiresRequestReplay\":false}",
                post("GetCapabilities", "").body());
        assertEquals("{\"LocalDefaultAddressSpace\":\"BerthLocal\",\"GlobalDefaultAddressSpace\":\"BerthGlobal\"}",
                post("GetDefaultAddressSpaces", "").body());

        UnixHttp.Reply pool = post("RequestPool",
                "{\"AddressSpace\":\"BerthLocal\",\"Pool\":\"172.30.0.0/16\",\"SubPool\":\"\",\"Options\":{},\"V6\":false}");
        assertEquals(200, pool.status(), pool.body());
        assertEquals("{\"PoolID\":\"BerthLocal/172.30.0.0/16\",\"Pool\":\"172.30.0.0/16\",\"Data\":{}}", pool.body());
        String id = "BerthLocal/172.30.0.0/16";
        UnixHttp.Reply gw = post("RequestAddress", "{\"PoolID\":\"" + id + "\",\"Address\":\"\",\"Options\":"
                + "{\"RequestAddressType\":\"com.docker.network.gateway\"}}");
        assertEquals("{\"Address\":\"172.30.0.1/16\",\"Data\":{}}", gw.body());
        UnixHttp.Reply ep = post("RequestAddress", "{\"PoolID\":\"" + id + "\",\"Address\":\"\",\"Options\":"
                + "{\"com.docker.network.endpoint.macaddress\":\"02:42:ac:1e:00:02\"}}");
        assertEquals("{\"Address\":\"172.30.0.2/16\",\"Data\":{}}", ep.body());
        assertEquals(200, post("ReleaseAddress", "{\"PoolID\":\"" + id + "\",\"Address\":\"172.30.0.2\"}").status());
        assertEquals(200, post("ReleaseAddress", "{\"PoolID\":\"" + id + "\",\"Address\":\"172.30.0.1\"}").status());
        assertEquals(200, post("ReleasePool", "{\"PoolID\":\"" + id + "\"}").status());
        assertEquals(404, post("RequestAddress", "{\"PoolID\":\"" + id + "\",\"Address\":\"\"}").status());
    }

    @Test
    void errors_areNon2xxWithErr() {
        UnixHttp.Reply bad = post("RequestPool",
                "{\"AddressSpace\":\"BerthLocal\",\"Pool\":\"172.30.0.0/33\",\"SubPool\":\"\",\"V6\":false}");
        assertEquals(400, bad.status());
        assertTrue(bad.body().startsWith("{\"Err\":\"Pool: prefix length 33 out of range"), bad.body());
        assertEquals(400, post("RequestPool", "{\"Pool\":\"10.0.0.0/8\"}").status(), "AddressSpace is required");
        post("RequestPool", "{\"AddressSpace\":\"BerthLocal\",\"Pool\":\"172.30.0.0/16\",\"V6\":false}");
        UnixHttp.Reply overlap = post("RequestPool", "{\"AddressSpace\":\"BerthLocal\",\"Pool\":\"172.30.1.0/24\",\"V6\":false}");
        assertEquals(409, overlap.status(), overlap.body());
        assertTrue(overlap.body().contains("overlaps pool 172.30.0.0/16"), overlap.body());
        UnixHttp.Reply outside = post("RequestAddress",
                "{\"PoolID\":\"BerthLocal/172.30.0.0/16\",\"Address\":\"10.0.0.1\"}");
        assertEquals(400, outside.status());
        assertTrue(outside.body().contains("not in pool 172.30.0.0/16"), outside.body());
        UnixHttp.Reply status = UnixHttp.get(socket, "/status");
        assertTrue(status.body().contains("store"), status.body());
    }
}
