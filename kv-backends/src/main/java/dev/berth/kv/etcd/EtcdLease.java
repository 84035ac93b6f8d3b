package dev.berth.kv.etcd;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.kv.KvException;
import dev.berth.kv.KvUnavailableException;
import dev.berth.kv.Lease;
import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An etcd lease kept alive from a scheduler: a keep-alive every TTL/3, and while the cluster does not answer, another
 * try every half second, at any member. An outage shorter than the TTL therefore costs nothing (a new leader also
 * renews every lease), and the lease is declared dead only when etcd itself says so: a keep-alive answered with
 * TTL &lt;= 0 or "lease not found".
 */
final class EtcdLease implements Lease {
    private static final Logger LOG = LoggerFactory.getLogger(EtcdLease.class);
    private static final long RETRY_MILLIS = 500;

    private final EtcdHttp http;
    private final ScheduledExecutorService scheduler;
    private final long id;
    private final Duration ttl;
    private final long intervalMillis;
    private final Object lock = new Object();
    private ScheduledFuture<?> next;
    private volatile boolean alive = true;
    private volatile boolean closed;
    private boolean failing;

    private EtcdLease(EtcdHttp http, ScheduledExecutorService scheduler, long id, Duration ttl) {
        this.http = http;
        this.scheduler = scheduler;
        this.id = id;
        this.ttl = ttl;
        this.intervalMillis = Math.max(100, ttl.toMillis() / 3);
    }

    /** Grants a lease of {@code ttl} rounded up to whole seconds (etcd may raise it to its minimum) and keeps it. */
    static EtcdLease grant(EtcdHttp http, ScheduledExecutorService scheduler, Duration ttl) {
        if (ttl.isNegative() || ttl.isZero()) {
            throw new IllegalArgumentException("a lease TTL must be positive, not " + ttl);
        }
        long seconds = Math.max(1, (ttl.toMillis() + 999) / 1000);
        EtcdJson.Grant g = EtcdJson.grant(http.call("/v3/lease/grant", EtcdJson.leaseGrant(seconds),
                EtcdHttp.Retry.IDEMPOTENT));
        if (g.id() == 0 || g.ttlSeconds() <= 0) {
            throw new KvException("etcd granted no usable lease (ID " + g.id() + ", TTL " + g.ttlSeconds() + ")");
        }
        EtcdLease lease = new EtcdLease(http, scheduler, g.id(), Duration.ofSeconds(g.ttlSeconds()));
        lease.schedule(lease.intervalMillis);
        return lease;
    }

    @Override
    public long id() {
        return id;
    }

    @Override
    public Duration ttl() {
        return ttl;
    }

    @Override
    public boolean isAlive() {
        return alive;
    }

    private void schedule(long delayMillis) {
        synchronized (lock) {
            if (closed || !alive) {
                return;
            }
            try {
                next = scheduler.schedule(this::keepAlive, delayMillis, TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException e) {
                // the store closed or abandoned its keep-alives: the lease now runs out on its own
            }
        }
    }

    private void keepAlive() {
        if (closed || http.isClosed()) {
            return;
        }
        try {
            JsonNode answer = http.call("/v3/lease/keepalive", EtcdJson.leaseId(id), EtcdHttp.Retry.IDEMPOTENT,
                    Duration.ofMillis(Math.min(http.callTimeout().toMillis(), Math.max(intervalMillis, 1_000))));
            if (EtcdJson.keepAliveTtl(answer) <= 0) {
                expired("etcd answered the keep-alive with no TTL left");
                return;
            }
            if (failing) {
                LOG.info("etcd lease {} kept alive again", Long.toHexString(id));
                failing = false;
            }
            schedule(intervalMillis);
        } catch (EtcdServerException e) {
            if (e.leaseNotFound()) {
                expired(e.getMessage());
            } else {
                retryLater(e);
            }
        } catch (KvException e) {
            if (!closed && !http.isClosed()) {
                retryLater(e);
            }
        } catch (RuntimeException e) {
            LOG.error("etcd lease {} keep-alive failed unexpectedly; trying again", Long.toHexString(id), e);
            schedule(RETRY_MILLIS);
        }
    }

    private void retryLater(KvException e) {
        if (!failing) {
            LOG.warn("etcd lease {} (TTL {} s): keep-alive failed, retrying: {}", Long.toHexString(id),
                    ttl.toSeconds(), e.getMessage());
            failing = true;
        }
        schedule(Math.min(intervalMillis, RETRY_MILLIS));
    }

    private void expired(String why) {
        alive = false;
        LOG.warn("etcd lease {} has ended: {}", Long.toHexString(id), why);
    }

    /** Stops keeping the lease alive without revoking it (the keys stay until the TTL runs out). */
    void abandon() {
        synchronized (lock) {
            closed = true;
            if (next != null) {
                next.cancel(false);
            }
        }
    }

    /** Revokes within {@code budget}: its keys are deleted now. A lease etcd no longer knows counts as revoked. */
    void revoke(Duration budget) {
        abandon();
        boolean wasAlive = alive;
        alive = false;
        if (!wasAlive) {
            return;
        }
        try {
            http.call("/v3/lease/revoke", EtcdJson.leaseId(id), EtcdHttp.Retry.IDEMPOTENT, budget);
        } catch (EtcdServerException e) {
            if (!e.leaseNotFound()) {
                throw e;
            }
        } catch (KvUnavailableException e) {
            throw new KvUnavailableException("could not revoke etcd lease " + Long.toHexString(id)
                    + "; it ends by itself within its TTL of " + ttl.toSeconds() + " s: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        synchronized (lock) {
            if (closed && !alive) {
                return;
            }
        }
        revoke(http.callTimeout());
    }

    @Override
    public String toString() {
        return "EtcdLease[" + Long.toHexString(id) + ", TTL " + ttl.toSeconds() + " s, " + (alive ? "alive" : "ended")
                + "]";
    }
}
