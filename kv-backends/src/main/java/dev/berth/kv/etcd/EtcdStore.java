package dev.berth.kv.etcd;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.kv.KeyValue;
import dev.berth.kv.KvException;
import dev.berth.kv.KvStore;
import dev.berth.kv.KvUrl;
import dev.berth.kv.Keys;
import dev.berth.kv.Lease;
import dev.berth.kv.Listing;
import dev.berth.kv.Watch;
import dev.berth.kv.WatchListener;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The store on etcd v3 ({@code etcd://h1:2379,h2:2379/prefix}), spoken through etcd's JSON gateway ({@code /v3/kv/*},
 * {@code /v3/watch}, {@code /v3/lease/*}) with Jetty's HTTP client.
 *
 * <p>Why the gateway and not jetcd: jetcd brings gRPC, Vert.x and two Netty lines (megabytes of jars inside every
 * plugin image, a second HTTP stack and thread model beside the Jetty the suite already runs on, and three more
 * libraries to keep patched) for a protocol we use ten calls of. The gateway ships with every etcd 3.4+, speaks
 * plain HTTP/1.1 that curl can replay, and is tested here against the real server. What it costs: each watch is its
 * own HTTP stream (jetcd multiplexes watches on one gRPC stream), a keep-alive is one request rather than a stream,
 * and fail-over between members is ours to write ({@link EtcdHttp}), which also lets us decide what is resent.
 *
 * <p>Keys live under {@code <prefix>/}; revisions, create/mod revisions and lease IDs are etcd's own. create, CAS and
 * compare-and-delete are transactions on create_revision / mod_revision. When a member dies mid-call the call moves
 * to the next member within the same call timeout; a put may then be applied twice (same end state, one extra
 * revision that watchers see) and a resent delete may answer false for a key the first attempt deleted, while a
 * transaction whose outcome is unknown raises {@link dev.berth.kv.KvUnavailableException} saying so rather than
 * guessing. Watches deliver on their own thread as they read the stream, so a slow listener slows its stream (etcd
 * keeps the backlog).
 *
 * <pre>{@code
 * try (KvStore kv = EtcdStore.open(KvUrl.parse("etcd://10.0.0.1:2379,10.0.0.2:2379/berth?timeout=3s"))) {
 *     Listing pools = kv.list("ipam/pools/");
 *     kv.watch("ipam/pools/", pools.revision(), listener);
 * }
 * }</pre>
 */
public final class EtcdStore implements KvStore {
    private static final Logger LOG = LoggerFactory.getLogger(EtcdStore.class);
    private static final int PAGE = 1_000;
    private static final AtomicInteger SEQUENCE = new AtomicInteger();

    private final EtcdHttp http;
    private final EtcdJson json;
    private final ScheduledExecutorService keepAlives;
    private final ScheduledExecutorService watchChecks;
    private final Set<EtcdLease> leases = ConcurrentHashMap.newKeySet();
    private final Set<EtcdWatch> watches = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    private EtcdStore(EtcdHttp http, String prefix) {
        this.http = http;
        this.json = new EtcdJson(prefix);
        int n = SEQUENCE.incrementAndGet();
        ScheduledThreadPoolExecutor k = new ScheduledThreadPoolExecutor(2, daemon("berth-etcd-keepalive-" + n));
        k.setRemoveOnCancelPolicy(true);
        this.keepAlives = k;
        this.watchChecks = Executors.newSingleThreadScheduledExecutor(daemon("berth-etcd-watch-check-" + n));
    }

    /** Opens a client on the URL's members; contacts none yet (see {@link #problem()}). */
    public static EtcdStore open(KvUrl url) {
        if (!url.scheme().equals("etcd")) {
            throw new IllegalArgumentException("not an etcd store URL: " + url.scheme() + "://");
        }
        if (url.endpoints().isEmpty()) {
            throw new IllegalArgumentException("an etcd store URL needs at least one host:port");
        }
        if (url.params().containsKey("password") && !url.params().containsKey("user")) {
            throw new IllegalArgumentException("etcd store URL: password= without user=");
        }
        return new EtcdStore(EtcdHttp.open(url), url.prefix());
    }

    @Override
    public Optional<KeyValue> get(String key) {
        Keys.check(key);
        return json.first(http.call("/v3/kv/range", json.range(key), EtcdHttp.Retry.IDEMPOTENT));
    }

    @Override
    public long put(String key, byte[] value) {
        return put(key, value, 0);
    }

    @Override
    public long put(String key, byte[] value, Lease lease) {
        return put(key, value, Objects.requireNonNull(lease, "lease").id());
    }

    private long put(String key, byte[] value, long lease) {
        Keys.check(key);
        return EtcdJson.revision(http.call("/v3/kv/put", json.put(key, value, lease), EtcdHttp.Retry.IDEMPOTENT));
    }

    @Override
    public Optional<Long> create(String key, byte[] value) {
        return create(key, value, 0);
    }

    @Override
    public Optional<Long> create(String key, byte[] value, Lease lease) {
        return create(key, value, Objects.requireNonNull(lease, "lease").id());
    }

    private Optional<Long> create(String key, byte[] value, long lease) {
        Keys.check(key);
        return txn(json.createIfAbsent(key, value, lease));
    }

    @Override
    public Optional<Long> compareAndSet(String key, long expectedModRevision, byte[] value) {
        Keys.check(key);
        positive(expectedModRevision);
        return txn(json.compareAndSet(key, expectedModRevision, value));
    }

    @Override
    public boolean compareAndDelete(String key, long expectedModRevision) {
        Keys.check(key);
        positive(expectedModRevision);
        JsonNode r = http.call("/v3/kv/txn", json.compareAndDelete(key, expectedModRevision), EtcdHttp.Retry.ONCE);
        return EtcdJson.succeeded(r) && EtcdJson.txnDeleted(r) > 0;
    }

    private Optional<Long> txn(JsonNode request) {
        JsonNode r = http.call("/v3/kv/txn", request, EtcdHttp.Retry.ONCE);
        return EtcdJson.succeeded(r) ? Optional.of(EtcdJson.revision(r)) : Optional.empty();
    }

    @Override
    public boolean delete(String key) {
        Keys.check(key);
        return EtcdJson.deleted(http.call("/v3/kv/deleterange", json.delete(key), EtcdHttp.Retry.IDEMPOTENT)) > 0;
    }

    /** Pages of {@value #PAGE} keys, all read at the revision of the first page; starts over if it is compacted. */
    @Override
    public Listing list(String prefix) {
        Keys.checkPrefix(prefix);
        for (int attempt = 1; ; attempt++) {
            try {
                return listOnce(prefix);
            } catch (EtcdServerException e) {
                if (!e.compacted() || attempt == 3) {
                    throw e;
                }
                LOG.debug("listing '{}': its revision was compacted mid-way; starting over", prefix);
            }
        }
    }

    private Listing listOnce(String prefix) {
        List<KeyValue> entries = new ArrayList<>();
        byte[] from = json.rangeStart(prefix);
        long revision = 0;
        while (true) {
            JsonNode r = http.call("/v3/kv/range", json.rangePage(prefix, from, revision, PAGE),
                    EtcdHttp.Retry.IDEMPOTENT);
            if (revision == 0) {
                revision = EtcdJson.revision(r);
            }
            List<KeyValue> page = json.kvs(r);
            entries.addAll(page);
            if (!EtcdJson.more(r) || page.isEmpty()) {
                return new Listing(entries, revision);
            }
            byte[] last = EtcdJson.lastKey(r);
            from = Arrays.copyOf(last, last.length + 1);
        }
    }

    @Override
    public Watch watch(String prefix, long afterRevision, WatchListener listener) {
        Keys.checkPrefix(prefix);
        if (afterRevision < 0) {
            throw new IllegalArgumentException("afterRevision must not be negative: " + afterRevision);
        }
        http.ensureOpen();
        EtcdWatch w = EtcdWatch.start(http, json, prefix, afterRevision, listener, watchChecks);
        watches.add(w);
        watches.removeIf(x -> !x.isActive() && x != w);
        return w;
    }

    @Override
    public Lease grantLease(Duration ttl) {
        http.ensureOpen();
        EtcdLease lease = EtcdLease.grant(http, keepAlives, ttl);
        leases.add(lease);
        leases.removeIf(l -> !l.isAlive() && l != lease);
        return lease;
    }

    /** Healthy when some member answers its status within the call timeout and has a leader. */
    @Override
    public Optional<String> problem() {
        http.ensureOpen();
        long deadline = System.nanoTime() + http.callTimeout().toNanos();
        int n = http.endpointCount();
        List<String> why = new ArrayList<>();
        for (int k = 0; k < n; k++) {
            int i = (http.preferred() + k) % n;
            long left = (deadline - System.nanoTime()) / (n - k);
            if (left <= 0) {
                why.add(http.endpoint(i) + ": not tried, out of time");
                continue;
            }
            try {
                JsonNode s = http.callOne(i, "/v3/maintenance/status", EtcdJson.object(), Duration.ofNanos(left));
                String leader = s.path("leader").asText("0"); // a uint64: may not fit a long
                if (leader.isEmpty() || leader.equals("0")) {
                    why.add(http.endpoint(i) + ": member has no leader");
                } else if (s.path("errors").size() > 0) {
                    why.add(http.endpoint(i) + ": " + s.path("errors"));
                } else {
                    return Optional.empty();
                }
            } catch (KvException e) {
                why.add(e.getMessage());
            }
        }
        return Optional.of("etcd unavailable: " + String.join("; ", why));
    }

    /** Stops keeping this client's leases alive without revoking them, as if the process had died (tests only). */
    void abandonForTest() {
        leases.forEach(EtcdLease::abandon);
        keepAlives.shutdownNow();
    }

    /** Closes watches, revokes leases (within one call timeout in all), then releases the HTTP client. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        watches.forEach(EtcdWatch::close);
        long deadline = System.nanoTime() + http.callTimeout().toNanos();
        for (EtcdLease lease : leases) {
            long left = deadline - System.nanoTime();
            try {
                if (left > 0) {
                    lease.revoke(Duration.ofNanos(left));
                } else {
                    lease.abandon();
                }
            } catch (KvException e) {
                LOG.warn("closing the etcd store: {}", e.getMessage());
            }
        }
        keepAlives.shutdownNow();
        watchChecks.shutdownNow();
        http.close();
    }

    private static void positive(long revision) {
        if (revision <= 0) {
            throw new IllegalArgumentException("an expected revision is positive (a missing key has none: use create)");
        }
    }

    private static ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }
}
