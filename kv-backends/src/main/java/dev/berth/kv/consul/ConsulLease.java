package dev.berth.kv.consul;

import dev.berth.kv.KvException;
import dev.berth.kv.Lease;
import java.time.Duration;
import java.util.List;
import java.util.function.LongConsumer;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A lease is a Consul session with a TTL and {@code Behavior=delete} that holds one marker key,
 * {@code leases/<lease id>}, acquired with a {@code lock} when the lease is granted. Consul deletes the marker when the
 * session is invalidated (destroyed, or not renewed in time); the store's keys are never locked by the session (Consul
 * would delete them without a log entry): leased writes check the marker in their transaction, and the
 * {@link LeaseReaper}s of the open stores delete a dead lease's keys through the log. The session is renewed every
 * TTL/2; a renewal answered 404 means Consul has invalidated it, and the lease is then ended for good.
 *
 * <p>TTL: Consul accepts 10 s to 24 h, so a shorter TTL is raised to 10 s ({@link #ttl()} tells the TTL in force), and
 * Consul itself waits up to twice the TTL before invalidating a session that is not renewed: the keys of a dead
 * process vanish between TTL and 2 x TTL after its last renewal. Renewals that fail for a while (agent restart) do not
 * end the lease as long as one succeeds within that window.
 */
final class ConsulLease implements Lease {
    static final Duration MIN_TTL = Duration.ofSeconds(10);
    static final Duration MAX_TTL = Duration.ofHours(24);
    private static final Logger LOG = LoggerFactory.getLogger(ConsulLease.class);

    private final ConsulHttp http;
    private final Duration callTimeout;
    private final String session;
    private final Duration ttl;
    private final Object owner;
    private final LongConsumer revoked;
    private volatile ScheduledFuture<?> renewal;
    private volatile boolean ended;
    private volatile boolean closed;

    private ConsulLease(ConsulHttp http, Duration callTimeout, String session, Duration ttl, Object owner,
                        LongConsumer revoked) {
        this.http = http;
        this.callTimeout = callTimeout;
        this.session = session;
        this.ttl = ttl;
        this.owner = owner;
        this.revoked = revoked;
    }

    /** The TTL Consul will accept for a requested one: whole seconds, within [10 s, 24 h]. */
    static Duration effectiveTtl(Duration requested) {
        long seconds = Math.max(1, (requested.toMillis() + 999) / 1000);
        return Duration.ofSeconds(Math.min(MAX_TTL.toSeconds(), Math.max(MIN_TTL.toSeconds(), seconds)));
    }

    /** The transaction that makes the marker: lock {@code leases/<id>} for the session (the value names it). */
    static List<TxnOp> markerOps(ConsulLayout layout, String session) {
        return List.of(TxnOp.lock(layout.marker(KvEntry.leaseId(session)), session.getBytes(
                java.nio.charset.StandardCharsets.US_ASCII), session));
    }

    /** Creates the session and its marker; {@code revoked} is told the lease id after {@link #close()}. */
    static ConsulLease grant(ConsulHttp http, ConsulLayout layout, Duration callTimeout, Duration requested,
                             ScheduledExecutorService scheduler, Object owner, LongConsumer revoked) {
        Duration ttl = effectiveTtl(requested);
        ConsulHttp.Answer a = http.write(ConsulApi.createSession("berth", ttl), callTimeout);
        if (a.status() != 200) {
            throw new KvException("Consul did not create a session: HTTP " + a.status());
        }
        String session = ConsulJson.sessionId(a.body());
        ConsulHttp.Answer m;
        try {
            m = http.write(ConsulApi.txn(markerOps(layout, session)), callTimeout);
        } catch (KvException e) {
            http.write(ConsulApi.destroySession(session), callTimeout);
            throw e;
        }
        if (m.status() != 200) {
            http.write(ConsulApi.destroySession(session), callTimeout);
            throw new KvException("Consul would not lock the lease marker " + layout.marker(KvEntry.leaseId(session))
                    + " for the new session " + session + ": " + ConsulJson.txnAnswer(m.body()).errors());
        }
        ConsulLease lease = new ConsulLease(http, callTimeout, session, ttl, owner, revoked);
        long period = ttl.toMillis() / 2;
        lease.renewal = scheduler.scheduleAtFixedRate(lease::renew, period, period, TimeUnit.MILLISECONDS);
        return lease;
    }

    String session() {
        return session;
    }

    boolean grantedBy(Object store) {
        return owner == store;
    }

    @Override
    public long id() {
        return KvEntry.leaseId(session);
    }

    @Override
    public Duration ttl() {
        return ttl;
    }

    @Override
    public boolean isAlive() {
        return !closed && !ended;
    }

    private void renew() {
        if (!isAlive()) {
            return;
        }
        try {
            ConsulHttp.Answer a = http.read(ConsulApi.renewSession(session), callTimeout);
            if (a.status() == 404) {
                ended = true;
                stopRenewing();
                LOG.warn("Consul invalidated the session {} of a lease: its keys are gone", session);
            }
        } catch (KvException e) {
            LOG.warn("renewing Consul session {} failed, will retry: {}", session, e.getMessage());
        }
    }

    /** Destroys the session (Consul deletes the marker at once), then the store deletes its keys through the log. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        stopRenewing();
        http.write(ConsulApi.destroySession(session), callTimeout);
        revoked.accept(id());
    }

    /** As if the process died: stop renewing, do not destroy; Consul invalidates the session after its TTL. */
    void abandon() {
        closed = true;
        stopRenewing();
    }

    private void stopRenewing() {
        ScheduledFuture<?> r = renewal;
        if (r != null) {
            r.cancel(false);
        }
    }
}
