package dev.berth.kv.zk;

import dev.berth.kv.log.LogStore;
import dev.berth.kv.log.LogEntry;
import dev.berth.kv.KeyValue;
import dev.berth.kv.Keys;
import dev.berth.kv.KvException;
import dev.berth.kv.KvUrl;
import dev.berth.kv.Lease;
import dev.berth.kv.Listing;
import dev.berth.kv.Watch;
import dev.berth.kv.WatchListener;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.ZooDefs;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The store on a ZooKeeper ensemble, through Apache Curator: {@code zk://h1:2181,h2:2181/berth?digest=user:pw}.
 *
 * <p>ZooKeeper keeps no history and its watches fire once, so the store keeps its own: a dense log of changes next to
 * the keys ({@link ZkLayout}). Every write is one ZooKeeper transaction that changes the key and appends its log
 * entry, and a revision is the entry's number ({@link ZkWriter}); a listing is exact at the revision it returns
 * ({@link ZkReader}); a watch reads the log from any revision still in it, in order, without gaps, across reconnects
 * ({@link ZkWatch}); the log is trimmed to its last {@code log-keep} entries (default 100000) and {@code log-age}
 * (default 10 min), and a watcher behind that gets onReset(COMPACTED) ({@link LogTrimmer}). Leases are ZooKeeper
 * sessions ({@link ZkLease}); the keys of a dead lease are deleted through the log by any open store
 * ({@link LeaseReaper}).
 *
 * <p>URL parameters: {@code digest=user:password} (digest auth, creator-only ACLs), {@code timeout} (every call),
 * {@code log-keep}, {@code log-age}. Every call returns or fails within the timeout; unreachable servers give
 * {@link dev.berth.kv.KvUnavailableException}. A write that timed out may still have been applied.
 *
 * <p>Cost: a write is one read of the key and one transaction (a second read of the head when another client wrote
 * meanwhile); values are stored twice (key and log entry) and limited to {@value ZkWriter#MAX_VALUE} bytes.
 */
public final class ZkStore extends LogStore {
    private static final Logger LOG = LoggerFactory.getLogger(ZkStore.class);

    private final String name;
    private final ZkConnector connector;
    private final CuratorFramework curator;
    private final ZkCalls calls;
    private final ZkLayout layout;
    private final ZkWriter writer;
    private final ZkReader reader;
    private final LeaseReaper reaper;
    private final ScheduledExecutorService housekeeping;
    private final Set<ZkLease> leases = ConcurrentHashMap.newKeySet();
    private final Set<ZkWatch> watches = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    private ZkStore(KvUrl url) {
        this.connector = ZkConnector.from(url);
        this.name = "zk://" + connector.connectString() + "/" + url.prefix();
        this.layout = new ZkLayout(url.prefix());
        long keep = Long.parseLong(url.param("log-keep", "100000"));
        Duration maxAge = parseDuration(url.param("log-age", "600s"));
        this.housekeeping = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "berth-zk-housekeeping " + name);
            t.setDaemon(true);
            return t;
        });
        this.curator = connector.connect(ZkConnector.STORE_SESSION_MS, "store");
        this.calls = new ZkCalls(curator, connector.connectString(), connector.callTimeout(), connector.acl());
        LogTrimmer trimmer = new LogTrimmer(calls, layout, keep, maxAge, housekeeping);
        ZkWriter.Head head = new ZkWriter.Head();
        this.writer = new ZkWriter(calls, layout, head, trimmer::written,
                path -> housekeeping.execute(() -> prune(path)));
        this.reader = new ZkReader(calls, layout, writer);
        this.reaper = new LeaseReaper(calls, layout, writer, housekeeping);
    }

    /** Connects, creates the layout if this is the first store on the prefix, and starts reaping dead leases. */
    public static ZkStore open(KvUrl url) {
        ZkStore store = new ZkStore(url);
        try {
            store.initialize();
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
        return store;
    }

    private void initialize() {
        long deadline = calls.deadline();
        String root = layout.root();
        // the ancestors of the prefix hold nothing and may be shared with other stores: open to all
        for (int slash = root.indexOf('/', 1); slash > 0; slash = root.indexOf('/', slash + 1)) {
            calls.create(root.substring(0, slash), new byte[0], CreateMode.PERSISTENT,
                    ZooDefs.Ids.OPEN_ACL_UNSAFE, deadline);
        }
        if (!root.equals("/")) {
            calls.create(root, new byte[0], CreateMode.PERSISTENT, deadline);
        }
        for (String dir : List.of(layout.keysDir(), layout.logDir(), layout.leasesDir(), layout.leaseKeysDir())) {
            calls.create(dir, new byte[0], CreateMode.PERSISTENT, deadline);
        }
        // the genesis entry before the head: whoever sees the head can append after it
        calls.create(layout.logPath(0), LogEntry.genesis().encode(), CreateMode.PERSISTENT, deadline);
        calls.create(layout.floor(), ZkLayout.revisionBytes(0), CreateMode.PERSISTENT, deadline);
        calls.create(layout.head(), ZkLayout.revisionBytes(0), CreateMode.PERSISTENT, deadline);
        writer.readHead(deadline);
        curator.getConnectionStateListenable().addListener((client, state) -> {
            if (state == ConnectionState.RECONNECTED) {
                reaper.schedule();
            }
        });
        reaper.start();
    }










    @Override
    public Watch watch(String prefix, long afterRevision, WatchListener listener) {
        ensureOpen();
        Objects.requireNonNull(listener, "listener");
        ZkWatch w = new ZkWatch(calls, layout, writer, Keys.checkPrefix(prefix), afterRevision, listener,
                watches::remove);
        watches.add(w);
        w.start();
        return w;
    }

    @Override
    public Lease grantLease(Duration ttl) {
        ensureOpen();
        if (ttl.isNegative() || ttl.isZero()) {
            throw new IllegalArgumentException("a lease TTL must be positive");
        }
        ZkLease lease = ZkLease.grant(connector, calls, layout, ttl, this::revoked, this);
        leases.add(lease);
        return lease;
    }

    @Override
    public Optional<String> problem() {
        if (closed) {
            return Optional.of(name + " is closed");
        }
        try {
            writer.readHead(calls.deadline());
            return Optional.empty();
        } catch (KvException e) {
            return Optional.of(e.getMessage());
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        watches.forEach(ZkWatch::close);
        for (ZkLease lease : leases) {
            try {
                lease.close();
            } catch (KvException e) {
                LOG.warn("revoking lease {} of {}: {} (its keys go when its session expires)",
                        ZkLayout.leaseName(lease.id()), name, e.getMessage());
            }
        }
        calls.close();
        housekeeping.shutdownNow();
        try {
            housekeeping.awaitTermination(calls.timeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        curator.close();
    }

    /**
     * Test seam for "the process died": drops every lease's connection without ending its session and forgets the
     * leases, so nothing revokes them; the ensemble expires them after their TTL.
     */
    void abandonLeases() {
        for (ZkLease lease : leases) {
            lease.abandon();
        }
        leases.clear();
    }

    @Override
    public String toString() {
        return name;
    }


    @Override
    protected long leaseId(Lease lease) {
        if (!(lease instanceof ZkLease z) || !z.grantedBy(this)) {
            throw new IllegalArgumentException("lease " + lease + " was not granted by " + name);
        }
        if (!z.isAlive()) {
            throw new KvException("lease " + ZkLayout.leaseName(z.id()) + " has ended; grant a new one");
        }
        return z.id();
    }

    /**
     * After a lease's session was closed: deletes its keys now. The server this store reads from may apply the
     * session's end a moment later than the one the lease talked to, so the marker is waited for (one call timeout).
     */
    private void revoked(long lease) {
        leases.removeIf(l -> l.id() == lease);
        long deadline = calls.deadline();
        while (!reaper.reap(lease)) {
            if (System.nanoTime() > deadline) {
                LOG.warn("lease {} of {} still has its marker after its session was closed; its keys go when the "
                        + "session expires", ZkLayout.leaseName(lease), name);
                return;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void prune(String path) {
        try {
            writer.pruneEmptyParents(path);
        } catch (KvException e) {
            LOG.debug("pruning empty parents of {}: {}", path, e.getMessage());
        }
    }


    @Override
    protected long apply(LogStore.Kind kind, String key, byte[] value, long lease, long expectedModRevision) {
        return writer.write(new ZkWriter.Request(kind, key, value, lease, expectedModRevision));
    }

    @Override
    protected Optional<KeyValue> read(String key) {
        return reader.get(key);
    }

    @Override
    protected Listing readPrefix(String prefix) {
        return reader.list(prefix);
    }

    @Override
    protected void ensureOpen() {
        if (closed) {
            throw new KvException(name + " is closed");
        }
    }

    private static Duration parseDuration(String s) {
        try {
            if (s.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(s.substring(0, s.length() - 2)));
            }
            if (s.endsWith("m")) {
                return Duration.ofMinutes(Long.parseLong(s.substring(0, s.length() - 1)));
            }
            return Duration.ofSeconds(Long.parseLong(s.endsWith("s") ? s.substring(0, s.length() - 1) : s));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("zk store URL: log-age '" + s + "': use for example 600s or 10m");
        }
    }
}
