package dev.berth.kv.zk;

import dev.berth.kv.KvException;
import dev.berth.kv.KvUnavailableException;
import dev.berth.kv.KvUrl;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryUntilElapsed;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.data.ACL;

/**
 * How to reach the ensemble of a {@code zk://} URL: connect string, call timeout, digest credentials. Makes the
 * Curator clients: the store's own (session timeout {@value #STORE_SESSION_MS} ms, it holds no ephemeral znode) and one
 * per lease (session timeout = the lease's TTL). Curator's retry policy gives up after one call timeout, and the
 * ensemble tracker is off (the URL says which servers to use).
 *
 * <p>With {@code digest=user:password} every client authenticates with that digest and every znode the store creates
 * gets the ACL "creator has all rights" ({@code CREATOR_ALL_ACL}): only clients with the same credentials can read or
 * change the store. Without it znodes are open to all ({@code OPEN_ACL_UNSAFE}).
 */
final class ZkConnector {
    static final int STORE_SESSION_MS = 30_000;
    private static final AtomicInteger THREADS = new AtomicInteger();

    private final String connectString;
    private final Duration callTimeout;
    private final String digest;

    ZkConnector(String connectString, Duration callTimeout, String digest) {
        this.connectString = connectString;
        this.callTimeout = callTimeout;
        this.digest = digest;
    }

    static ZkConnector from(KvUrl url) {
        if (!url.scheme().equals("zk")) {
            throw new IllegalArgumentException("not a ZooKeeper store URL (zk://...): scheme " + url.scheme());
        }
        String digest = url.param("digest", null);
        if (digest != null && digest.indexOf(':') <= 0) {
            throw new IllegalArgumentException("zk store URL: digest must be user:password");
        }
        String hosts = url.endpoints().stream().map(KvUrl.Endpoint::toString).collect(Collectors.joining(","));
        return new ZkConnector(hosts, url.options().callTimeout(), digest);
    }

    String connectString() {
        return connectString;
    }

    Duration callTimeout() {
        return callTimeout;
    }

    List<ACL> acl() {
        return digest == null ? ZooDefs.Ids.OPEN_ACL_UNSAFE : ZooDefs.Ids.CREATOR_ALL_ACL;
    }

    /** A started client whose first connection succeeded within the call timeout. */
    CuratorFramework connect(int sessionTimeoutMs, String role) {
        int timeoutMs = (int) Math.min(Integer.MAX_VALUE, callTimeout.toMillis());
        CuratorFrameworkFactory.Builder b = CuratorFrameworkFactory.builder()
                .connectString(connectString)
                .sessionTimeoutMs(sessionTimeoutMs)
                .connectionTimeoutMs(Math.min(timeoutMs, sessionTimeoutMs))
                .retryPolicy(new RetryUntilElapsed(timeoutMs, 100))
                .ensembleTracker(false)
                .threadFactory(daemonThreads(role));
        if (digest != null) {
            b.authorization("digest", digest.getBytes(StandardCharsets.UTF_8));
        }
        CuratorFramework client = b.build();
        client.start();
        try {
            if (!client.blockUntilConnected(timeoutMs, TimeUnit.MILLISECONDS)) {
                client.close();
                throw new KvUnavailableException("ZooKeeper at " + connectString + " could not be reached within "
                        + timeoutMs + " ms");
            }
        } catch (InterruptedException e) {
            client.close();
            Thread.currentThread().interrupt();
            throw new KvException("interrupted while connecting to ZooKeeper at " + connectString, e);
        }
        return client;
    }

    private static ThreadFactory daemonThreads(String role) {
        return r -> {
            Thread t = new Thread(r, "berth-zk-" + role + "-" + THREADS.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
