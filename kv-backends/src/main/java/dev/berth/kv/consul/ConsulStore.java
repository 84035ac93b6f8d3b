package dev.berth.kv.consul;

import dev.berth.kv.KeyValue;
import dev.berth.kv.Keys;
import dev.berth.kv.KvException;
import dev.berth.kv.KvStore;
import dev.berth.kv.KvUrl;
import dev.berth.kv.Lease;
import dev.berth.kv.Listing;
import dev.berth.kv.Watch;
import dev.berth.kv.WatchListener;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The store on Consul's KV, through its HTTP API: {@code consul://127.0.0.1:8500/berth?token-file=...}.
 *
 * <ul>
 * <li>Revisions are Consul's Raft indexes: a KeyValue's createRevision/modRevision are its CreateIndex/ModifyIndex; a
 *     write returns the index of its transaction; a listing's revision is the X-Consul-Index of the prefix.</li>
 * <li>Writes are {@code /v1/txn} transactions ({@link KvOps}); create is cas with index 0; compare-and-set and
 *     compare-and-delete compare the ModifyIndex atomically on the server.</li>
 * <li>Leases are sessions ({@link ConsulLease}): TTL at least 10 s, Behavior=delete, keys bound with lock.</li>
 * <li>Watches are blocking queries diffed into events ({@link SnapshotDiff}, {@link ConsulWatch}). The store remembers
 *     the last {@value #REMEMBERED_LISTINGS} listings it returned, so a watch from a listing's revision knows the state
 *     it starts from and sees deletions made between the list and the watch.</li>
 * </ul>
 *
 * <p><b>Where this falls short of the contract:</b> Consul keeps no history, so a watch delivers the changes it can
 * see between two answers of a blocking query: several writes of one key in between arrive as one PUT with the last
 * value, and a key deleted and re-created in between arrives as one PUT. Deletions found in one answer share its
 * index as their revision. {@code KvStoreContract.watch_underChurnSeesEveryChangeInOrder} is therefore expected to
 * fail against a real Consul, and a watch from a revision this store did not list resets at once unless nothing
 * changed since.
 *
 * <p><b>What was verified where:</b> the request building (paths, query parameters, token header, base64 values in
 * transactions), the JSON parsing, the write-to-transaction mapping and the snapshot diff are unit-tested without a
 * server. No Consul server could be run where this was written: the contract suite ({@code ConsulStoreContractIT})
 * runs only where {@code CONSUL_HTTP_ADDR} points at one, and had not been run against a real Consul.
 */
public final class ConsulStore implements KvStore {
    static final int REMEMBERED_LISTINGS = 16;
    private static final Logger LOG = LoggerFactory.getLogger(ConsulStore.class);

    private final ConsulConfig config;
    private final ConsulHttp http;
    private final ScheduledExecutorService renewals;
    private final Set<ConsulLease> leases = ConcurrentHashMap.newKeySet();
    private final Set<ConsulWatch> watches = ConcurrentHashMap.newKeySet();
    private final Map<String, SnapshotDiff.Snapshot> listings = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, SnapshotDiff.Snapshot> eldest) {
            return size() > REMEMBERED_LISTINGS;
        }
    };
    private volatile boolean closed;

    private ConsulStore(ConsulConfig config) {
        this.config = config;
        this.http = ConsulHttp.open(config);
        this.renewals = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "berth-consul-sessions " + config.baseUrl());
            t.setDaemon(true);
            return t;
        });
    }

    /** Opens the store; nothing is sent until the first call ({@link #problem()} checks the agent). */
    public static ConsulStore open(KvUrl url) {
        return new ConsulStore(ConsulConfig.from(url));
    }

    @Override
    public Optional<KeyValue> get(String key) {
        open();
        return entry(config.fullKey(Keys.check(key))).map(e -> e.toKeyValue(key));
    }

    @Override
    public long put(String key, byte[] value) {
        return put(key, value, (String) null);
    }

    @Override
    public long put(String key, byte[] value, Lease lease) {
        return put(key, value, session(lease));
    }

    @Override
    public Optional<Long> create(String key, byte[] value) {
        return create(key, value, (String) null);
    }

    @Override
    public Optional<Long> create(String key, byte[] value, Lease lease) {
        return create(key, value, session(lease));
    }

    /** The key keeps the lease it had (Consul keeps the session on cas). */
    @Override
    public Optional<Long> compareAndSet(String key, long expectedModRevision, byte[] value) {
        open();
        Objects.requireNonNull(value, "value");
        if (expectedModRevision <= 0) {
            return Optional.empty();
        }
        Txn t = txn(KvOps.compareAndSet(config.fullKey(Keys.check(key)), expectedModRevision, value));
        return t.ok ? Optional.of(t.revision()) : Optional.empty();
    }

    @Override
    public boolean compareAndDelete(String key, long expectedModRevision) {
        open();
        return expectedModRevision > 0
                && txn(KvOps.compareAndDelete(config.fullKey(Keys.check(key)), expectedModRevision)).ok;
    }

    @Override
    public boolean delete(String key) {
        open();
        return txn(KvOps.delete(config.fullKey(Keys.check(key)))).ok;
    }

    @Override
    public Listing list(String prefix) {
        open();
        Keys.checkPrefix(prefix);
        ConsulHttp.Answer a = http.read(ConsulApi.list(config.fullKey(prefix)), config.callTimeout());
        Map<String, KeyValue> entries = entriesUnder(config, prefix, a);
        long revision = Math.max(a.index(), 0);
        synchronized (listings) {
            listings.put(prefix + "@" + revision, new SnapshotDiff.Snapshot(revision, entries));
        }
        return new Listing(new ArrayList<>(entries.values()), revision);
    }

    @Override
    public Watch watch(String prefix, long afterRevision, WatchListener listener) {
        open();
        Keys.checkPrefix(prefix);
        Objects.requireNonNull(listener, "listener");
        SnapshotDiff.Snapshot baseline;
        synchronized (listings) {
            baseline = listings.get(prefix + "@" + afterRevision);
        }
        ConsulWatch w = new ConsulWatch(http, config, prefix, afterRevision, baseline, listener, watches::remove);
        watches.add(w);
        w.start();
        return w;
    }

    @Override
    public Lease grantLease(Duration ttl) {
        open();
        if (ttl.isNegative() || ttl.isZero()) {
            throw new IllegalArgumentException("a lease TTL must be positive");
        }
        ConsulLease lease = ConsulLease.grant(http, config.callTimeout(), ttl, renewals, this);
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
                LOG.warn("destroying Consul session {}: {} (it expires after its TTL)", lease.session(),
                        e.getMessage());
            }
        }
        renewals.shutdownNow();
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

    /** The entries of a KV answer that are store keys under {@code prefix}, sorted by key (404: none). */
    static Map<String, KeyValue> entriesUnder(ConsulConfig config, String prefix, ConsulHttp.Answer a) {
        TreeMap<String, KeyValue> out = new TreeMap<>();
        if (a.status() == 404) {
            return out;
        }
        if (a.status() != 200) {
            throw new KvException("Consul answered HTTP " + a.status() + " to a KV read");
        }
        for (KvEntry e : ConsulJson.entries(a.body())) {
            String key = config.storeKey(e.key());
            if (key != null && key.startsWith(prefix)) {
                out.put(key, e.toKeyValue(key));
            }
        }
        return out;
    }

    private long put(String key, byte[] value, String session) {
        open();
        Objects.requireNonNull(value, "value");
        String full = config.fullKey(Keys.check(key));
        long deadline = System.nanoTime() + config.callTimeout().toNanos();
        while (true) {
            List<TxnOp> ops = KvOps.put(full, value, entry(full), session);
            Txn t = txn(ops);
            if (t.ok) {
                return t.revision();
            }
            leaseFailure(t, ops, session);
            pauseOrGiveUp("put " + key, deadline);
        }
    }

    private Optional<Long> create(String key, byte[] value, String session) {
        open();
        Objects.requireNonNull(value, "value");
        List<TxnOp> ops = KvOps.create(config.fullKey(Keys.check(key)), value, session);
        Txn t = txn(ops);
        if (t.ok) {
            return Optional.of(t.revision());
        }
        if (session != null && t.failedOp() == KvOps.lockOp(ops)) {
            leaseFailure(t, ops, session);
        }
        return Optional.empty();
    }

    private void leaseFailure(Txn t, List<TxnOp> ops, String session) {
        if (session != null && t.failedOp() == KvOps.lockOp(ops)) {
            throw new KvException("Consul would not bind the key to session " + session + " (the lease ended, or "
                    + "another session holds the key): " + t.answer.errors());
        }
    }

    private record Txn(boolean ok, ConsulJson.TxnAnswer answer) {
        long revision() {
            return answer.index();
        }

        int failedOp() {
            return answer.errors().isEmpty() ? -1 : answer.errors().get(0).opIndex();
        }
    }

    private Txn txn(List<TxnOp> ops) {
        ConsulHttp.Answer a = http.write(ConsulApi.txn(ops), config.callTimeout());
        ConsulJson.TxnAnswer answer = ConsulJson.txnAnswer(a.body());
        if (a.status() == 200 && answer.index() <= 0 && !ops.get(ops.size() - 1).verb().startsWith("delete")) {
            throw new KvException("Consul applied a transaction but returned no index: " + ops);
        }
        return new Txn(a.status() == 200, answer);
    }

    private Optional<KvEntry> entry(String fullKey) {
        ConsulHttp.Answer a = http.read(ConsulApi.get(fullKey), config.callTimeout());
        if (a.status() == 404) {
            return Optional.empty();
        }
        return ConsulJson.entries(a.body()).stream().filter(e -> e.key().equals(fullKey)).findFirst();
    }

    private String session(Lease lease) {
        if (!(lease instanceof ConsulLease c) || !c.grantedBy(this)) {
            throw new IllegalArgumentException("lease " + lease + " was not granted by " + config);
        }
        if (!c.isAlive()) {
            throw new KvException("lease " + c.session() + " has ended; grant a new one");
        }
        return c.session();
    }

    private void pauseOrGiveUp(String what, long deadline) {
        if (System.nanoTime() > deadline) {
            throw new dev.berth.kv.KvUnavailableException("Consul: " + what + " kept conflicting with other writers "
                    + "for " + config.callTimeout().toMillis() + " ms");
        }
        try {
            Thread.sleep(5);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KvException("interrupted", e);
        }
    }

    private void open() {
        if (closed) {
            throw new KvException(config + " is closed");
        }
    }
}
