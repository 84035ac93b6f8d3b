package dev.berth.kv.zk;

import dev.berth.kv.KvStore;
import dev.berth.kv.KvStoreContract;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;

/** The contract suite against one real ZooKeeper server (in this JVM), a fresh prefix per test. */
@Tag("integration")
class ZkStoreContractIT extends KvStoreContract {
    private static final AtomicInteger PREFIXES = new AtomicInteger();
    private static TestingServer server;
    private String prefix;

    @BeforeAll
    static void startServer() {
        server = ZkTestServers.single();
    }

    @AfterAll
    static void stopServer() {
        ZkTestServers.close(server);
    }

    @Override
    protected KvStore open() {
        prefix = "berth/contract-" + PREFIXES.incrementAndGet();
        return openAnotherClient();
    }

    @Override
    protected KvStore openAnotherClient() {
        return ZkStore.open(ZkTestServers.url(server.getConnectString(), prefix, "timeout=5s"));
    }

    @Override
    protected void abandon(KvStore client) {
        ((ZkStore) client).abandonLeases();
    }
}
