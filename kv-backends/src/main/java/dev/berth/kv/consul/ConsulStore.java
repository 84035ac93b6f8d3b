package dev.berth.kv.consul;

import dev.berth.kv.log.LogStore;
import dev.berth.kv.KeyValue;
import dev.berth.kv.Keys;
import dev.berth.kv.KvException;
import dev.berth.kv.KvUrl;
import dev.berth.kv.Lease;
import dev.berth.kv.Listing;
import dev.berth.kv.Watch;
import dev.berth.kv.WatchListener;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The store on Consul's KV, through its HTTP API: {@code consul://127.0.0.1:8500/berth?token-file=...}.
 *
 * <p>Consul keeps no history and a blocking query only shows the latest state, so the store keeps its own: a dense
 * log of changes next to the keys ({@link ConsulLayout}), the design of the ZooKeeper backend. Every write is one
 * {@code /v1/txn} transaction that moves the head, appends the log entry and changes the key ({@link KvOps},
 * {@link ConsulWriter}); a revision is the entry's number, not a Consul index. A listing is exact at the revision it
 * returns ({@link ConsulReader}); a watch reads the log from any revision still in it, in order, without gaps or
 * coalescing, across agent outages ({@link ConsulWatch}); the log is trimmed to its last {@code log-keep} entries
 * (default {@value ConsulConfig#DEFAULT_LOG_KEEP}) and a watcher behind that gets onReset(COMPACTED)
 * ({@link LogTrimmer}). Leases are sessions holding a marker key ({@link ConsulLease}); the keys of a dead lease are
 * deleted through the log by any open store ({@link LeaseReaper}).
 *
 * <p>Cost: a write is a read of the key and one transaction (plus a read of the head when another client wrote
 * meanwhile); writers of one prefix serialize on the head, so write throughput is bounded by Consul's Raft commit
 * latency. Values are stored twice (key and log entry) and limited to {@value ConsulWriter#MAX_VALUE} bytes.
 *
 * <p><b>What was verified where:</b> the transactions built for each write (exact JSON), the key and log codecs, the
 * replay of a listing, the log block reads, the trimming and reaping decisions, the request building and our HTTP
 * client (against a scripted JDK HTTP server, not a Consul imitation) are unit-tested. No Consul server could be run
 * where this was written: the contract suite ({@code ConsulStoreContractIT}) runs only where {@code CONSUL_HTTP_ADDR}
 * points at one, and has not yet been run against a real Consul. Unverified in particular: Consul's actual answers
 * to these transactions (the op index it reports on rollback, the results of get), blocking-query wakeups on the
 * head key, and the lease timings.
 */
public final class ConsulStore extends LogStore {
    private static final Logger LOG = LoggerFactory.getLogger(ConsulStore.class);

    private final ConsulConfig config;
    private final ConsulHttp http;
    private final ConsulLayout layout;
    private final KvCalls kv;
    private final ConsulWriter writer;
    private final ConsulReader reader;
    private final LogReader log;
    private final LeaseReaper reaper;
    private final ScheduledExecutorService housekeeping;
    private final Set<ConsulLease> leases = ConcurrentHashMap.newKeySet();
    private final Set<ConsulWatch> watches = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    private ConsulStore(ConsulConfig config) {
        this.config = config;
        this.http = ConsulHttp.open(config);
        this.layout = new ConsulLayout(config.prefix());
        this.kv = new KvCalls(http, config);
        this.housekeeping = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "berth-consul-housekeeping " + config.baseUrl());
            t.setDaemon(true);
            return t;
        });
        LogTrimmer[] trimmer = new LogTrimmer[1];
        this.writer = new ConsulWriter(kv, layout, revision -> trimmer[0].written(revision));
        trimmer[0] = new LogTrimmer(kv, layout, writer, config.logKeep(), housekeeping);
        this.log = new LogReader(kv, layout);
        this.reader = new ConsulReader(kv, layout, writer, log);
        this.reaper = new LeaseReaper(kv, layout, writer);
    }

    /**
     * Opens the store and starts reaping dead leases in the background. Nothing else is sent until the first call
     * ({@link #problem()} checks the agent); the first write or listing creates the head and floor keys.
     */
    public static ConsulStore open(KvUrl url) {
        ConsulStore store = new ConsulStore(ConsulConfig.from(url));
        store.reaper.start();
        return store;
    }










    @Override
    public Watch watch(String prefix, long afterRevision, WatchListener listener) {
        ensureOpen();
        Objects.requireNonNull(listener, "listener");
        ConsulWatch w = new ConsulWatch(kv, layout, writer, log, Keys.checkPrefix(prefix), afterRevision, listener,
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
        ConsulLease lease = ConsulLease.grant(http, layout, config.callTimeout(), ttl, housekeeping, this,
                this::revoked);
        leases.add(lease);
        return lease;
    }

    @Override
    public Optional<String> problem() {
        if (closed) {
            return Optional.of(config + " is closed");
        }
        try {
            ConsulHttp.Answer a = http.read(ConsulApi.leader(), config.callTimeout());
            if (a.status() != 200) {
                return Optional.of("Consul agent " + config.baseUrl() + " answered HTTP " + a.status()
                        + " to /v1/status/leader");
            }
            String leader = ConsulJson.leader(a.body());
            return leader.isEmpty() ? Optional.of("the Consul cluster behind " + config.baseUrl() + " has no leader")
                    : Optional.empty();
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
        watches.forEach(ConsulWatch::close);
        for (ConsulLease lease : leases) {
            try {
                lease.close();
            } catch (KvException e) {
                LOG.warn("revoking lease {} of {}: {} (its keys go when its session expires)",
                        ConsulLayout.leaseName(lease.id()), config, e.getMessage());
            }
        }
        reaper.stop();
        housekeeping.shutdownNow();
        http.close();
    }

    /** Test seam for "the process died": stop renewing every session without destroying it, and forget them. */
    void abandonLeases() {
        leases.forEach(ConsulLease::abandon);
        leases.clear();
    }

    @Override
    public String toString() {
        return config.toString();
    }


    /** After a lease's session was destroyed: deletes its keys now (the reapers would, a moment later). */
    private void revoked(long lease) {
        leases.removeIf(l -> l.id() == lease);
        long deadline = System.nanoTime() + config.callTimeout().toNanos();
        while (!reaper.reap(lease)) {
            if (System.nanoTime() > deadline) {
                LOG.warn("lease {} of {} still has its marker after its session was destroyed; its keys go when the "
                        + "reapers notice", ConsulLayout.leaseName(lease), config);
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

    @Override
    protected long leaseId(Lease lease) {
        if (!(lease instanceof ConsulLease c) || !c.grantedBy(this)) {
            throw new IllegalArgumentException("lease " + lease + " was not granted by " + config);
        }
        if (!c.isAlive()) {
            throw new KvException("lease " + c.session() + " has ended; grant a new one");
        }
        return c.id();
    }


    @Override
    protected long apply(LogStore.Kind kind, String key, byte[] value, long lease, long expectedModRevision) {
        return writer.write(new KvOps.Request(kind, key, value, lease, expectedModRevision));
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
            throw new KvException(config + " is closed");
        }
    }
}
