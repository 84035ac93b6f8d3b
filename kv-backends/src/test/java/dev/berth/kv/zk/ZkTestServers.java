package dev.berth.kv.zk;

import dev.berth.kv.KvUrl;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingCluster;
import org.apache.curator.test.TestingServer;

/**
 * Real ZooKeeper servers in this JVM (Curator's TestingServer/TestingCluster run ZooKeeper's own server code), with a
 * short tick (250 ms, so sessions of 0.5 s to 60 s are allowed) and no per-address connection limit.
 */
final class ZkTestServers {
    static final int TICK_MS = 250;

    private ZkTestServers() {
    }

    static InstanceSpec spec() {
        return new InstanceSpec(null, -1, -1, -1, true, -1, TICK_MS, 0,
                Map.of("maxSessionTimeout", "60000", "minSessionTimeout", Integer.toString(2 * TICK_MS)));
    }

    static TestingServer single() {
        try {
            return new TestingServer(spec(), true);
        } catch (Exception e) {
            throw new IllegalStateException("could not start a ZooKeeper test server", e);
        }
    }

    static TestingCluster cluster(int n) {
        List<InstanceSpec> specs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            specs.add(spec());
        }
        TestingCluster c = new TestingCluster(specs);
        try {
            c.start();
        } catch (Exception e) {
            throw new IllegalStateException("could not start a ZooKeeper test cluster", e);
        }
        return c;
    }

    static KvUrl url(String connectString, String prefix, String params) {
        return KvUrl.parse("zk://" + connectString + "/" + prefix + (params.isEmpty() ? "" : "?" + params));
    }

    static void close(AutoCloseable c) {
        try {
            if (c != null) {
                c.close();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
