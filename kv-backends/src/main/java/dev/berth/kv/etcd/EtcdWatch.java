package dev.berth.kv.etcd;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.kv.KvException;
import dev.berth.kv.KvUnavailableException;
import dev.berth.kv.Watch;
import dev.berth.kv.WatchEvent;
import dev.berth.kv.WatchListener;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.client.InputStreamResponseListener;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.client.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One watch: a {@code /v3/watch} stream (newline-delimited JSON) read by the watch's own thread, which also calls the
 * listener, so batches arrive in revision order. When the stream breaks (its member died, lost its leader or stopped
 * answering health checks) the watch resumes at another member from the last delivered revision + 1: etcd replays
 * the history in between, so nothing is lost. It resets the listener only when that cannot work: history compacted
 * ({@code COMPACTED}), or no member answered for three call timeouts ({@code RECONNECTED}).
 */
final class EtcdWatch implements Watch {
    private static final Logger LOG = LoggerFactory.getLogger(EtcdWatch.class);
    private static final AtomicInteger SEQUENCE = new AtomicInteger();

    private final EtcdHttp http;
    private final EtcdJson json;
    private final String prefix;
    private final WatchListener listener;
    private final long timeoutNanos;
    private final long outageLimitNanos;
    private final Thread thread;
    private final CountDownLatch closed = new CountDownLatch(1);
    private final ScheduledFuture<?> checks;
    private volatile long delivered;
    private volatile boolean active = true;
    private volatile boolean closing;
    private volatile Request current;
    private volatile int currentEndpoint = -1;
    private volatile boolean created;
    private volatile long streamStarted;
    private volatile long lastHeard;

    private enum End { CLOSED, BROKEN, COMPACTED, FAILED }

    private EtcdWatch(EtcdHttp http, EtcdJson json, String prefix, long afterRevision, WatchListener listener,
                      ScheduledExecutorService checker) {
        this.http = http;
        this.json = json;
        this.prefix = prefix;
        this.listener = listener;
        this.delivered = afterRevision;
        this.timeoutNanos = http.callTimeout().toNanos();
        this.outageLimitNanos = 3 * timeoutNanos;
        this.thread = new Thread(this::run, "berth-etcd-watch-" + SEQUENCE.incrementAndGet() + "-" + prefix);
        this.thread.setDaemon(true);
        long period = Math.max(250, http.callTimeout().toMillis() / 2);
        this.checks = checker.scheduleWithFixedDelay(this::check, period, period, TimeUnit.MILLISECONDS);
    }

    static EtcdWatch start(EtcdHttp http, EtcdJson json, String prefix, long afterRevision, WatchListener listener,
                           ScheduledExecutorService checker) {
        EtcdWatch w = new EtcdWatch(http, json, prefix, afterRevision, listener, checker);
        w.thread.start();
        return w;
    }

    @Override
    public boolean isActive() {
        return active;
    }

    /** The member the watch streams from now, -1 between streams (for the fault tests). */
    int currentEndpoint() {
        return currentEndpoint;
    }

    private void run() {
        try {
            follow();
        } catch (RuntimeException | Error e) {
            LOG.error("etcd watch on '{}' failed", prefix, e);
            finish(End.FAILED, new KvException("etcd watch on '" + prefix + "' failed: " + e, e));
        }
    }

    private void follow() {
        int endpoint = http.preferred();
        long outageSince = System.nanoTime();
        int failures = 0;
        KvException error = null;
        End end;
        while (true) {
            Outcome o = stream(endpoint);
            end = o.end;
            if (end != End.BROKEN || closing) {
                error = o.error;
                break;
            }
            if (o.wasCreated) {
                outageSince = System.nanoTime();
                failures = 0;
                LOG.warn("etcd watch on '{}' lost member {} at revision {}: {}; resuming elsewhere", prefix,
                        http.endpoint(endpoint), delivered, o.why);
            } else {
                LOG.debug("etcd watch on '{}': member {} unusable: {}", prefix, http.endpoint(endpoint), o.why);
            }
            if (System.nanoTime() - outageSince > outageLimitNanos) {
                LOG.warn("etcd watch on '{}': no member of {} usable for {} ms (last: {}); resetting", prefix,
                        http.endpointCount(), outageLimitNanos / 1_000_000, o.why);
                end = null;
                break;
            }
            endpoint = (endpoint + 1) % http.endpointCount();
            if (++failures >= http.endpointCount() && pause(Math.min(1_000, 100L * failures))) {
                end = End.CLOSED;
                break;
            }
        }
        finish(end, error);
    }

    private void finish(End end, KvException error) {
        checks.cancel(false);
        currentEndpoint = -1;
        active = false;
        if (closing || end == End.CLOSED) {
            return;
        }
        try {
            if (end == End.COMPACTED) {
                listener.onReset(WatchListener.ResetReason.COMPACTED);
            } else if (end == null) {
                listener.onReset(WatchListener.ResetReason.RECONNECTED);
            } else {
                listener.onError(error);
            }
        } catch (RuntimeException e) {
            LOG.error("etcd watch on '{}': the listener threw while being told the watch ended", prefix, e);
        }
    }

    private record Outcome(End end, boolean wasCreated, String why, KvException error) {
    }

    /** One stream from one member, read until it ends. */
    private Outcome stream(int endpoint) {
        created = false;
        String token;
        try {
            token = http.token(System.nanoTime() + timeoutNanos);
        } catch (KvUnavailableException e) {
            return new Outcome(End.BROKEN, false, e.getMessage(), null);
        } catch (KvException e) {
            return new Outcome(End.FAILED, false, e.getMessage(), e);
        }
        JsonNode body = json.watchCreate(prefix, delivered + 1);
        Request req = http.stream(endpoint, "/v3/watch", body, token);
        InputStreamResponseListener answer = new InputStreamResponseListener();
        streamStarted = System.nanoTime();
        current = req;
        currentEndpoint = endpoint;
        if (closing) {
            return new Outcome(End.CLOSED, false, "closed", null);
        }
        try {
            req.send(answer);
            Response r = answer.get(timeoutNanos, TimeUnit.NANOSECONDS);
            BufferedReader lines = new BufferedReader(new InputStreamReader(answer.getInputStream(),
                    StandardCharsets.UTF_8));
            if (r.getStatus() != 200) {
                String first = lines.readLine();
                Optional<EtcdServerException> error = first == null ? Optional.empty()
                        : EtcdJson.error(EtcdJson.parse(first));
                return error.isPresent() ? serverEnded(error.get(), token)
                        : new Outcome(End.BROKEN, false, "HTTP " + r.getStatus(), null);
            }
            String line;
            while ((line = lines.readLine()) != null) {
                lastHeard = System.nanoTime();
                Outcome o = handle(json.watchLine(line), token);
                if (o != null) {
                    return o;
                }
            }
            return new Outcome(closing ? End.CLOSED : End.BROKEN, created, "the stream ended", null);
        } catch (TimeoutException e) {
            return new Outcome(End.BROKEN, false, "no answer within the call timeout", null);
        } catch (ExecutionException | IOException e) {
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            return new Outcome(closing ? End.CLOSED : End.BROKEN, created, EtcdHttp.describe(cause), null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Outcome(End.CLOSED, created, "interrupted", null);
        } catch (KvException e) {
            return new Outcome(End.FAILED, created, e.getMessage(), e);
        } finally {
            current = null;
            req.abort(new IOException("watch stream finished"));
        }
    }

    /** Acts on one message; null to keep reading. */
    private Outcome handle(EtcdJson.WatchMessage m, String token) {
        if (m.error() != null) {
            return serverEnded(m.error(), token);
        }
        if (m.compacted()) {
            LOG.warn("etcd watch on '{}': revision {} is compacted (history starts at {}); resetting", prefix,
                    delivered + 1, m.compactRevision());
            return new Outcome(End.COMPACTED, created, "compacted", null);
        }
        if (m.canceled()) {
            return serverEnded(new EtcdServerException(0, m.cancelReason()), token);
        }
        if (m.created()) {
            if (!created && streamStarted > 0) {
                LOG.debug("etcd watch on '{}' streaming from {} after revision {}", prefix,
                        http.endpoint(currentEndpoint), delivered);
            }
            created = true;
        }
        return deliver(m.events());
    }

    private Outcome serverEnded(EtcdServerException e, String token) {
        if (e.invalidToken()) {
            try {
                http.authenticate(token, System.nanoTime() + timeoutNanos);
            } catch (KvUnavailableException u) {
                return new Outcome(End.BROKEN, created, u.getMessage(), null);
            } catch (KvException k) {
                return new Outcome(End.FAILED, created, k.getMessage(), k);
            }
            return new Outcome(End.BROKEN, created, "auth token expired", null);
        }
        String m = e.getMessage();
        if (e.retryable() || m.contains("no leader") || m.contains("server stopped") || m.contains("leader changed")) {
            return new Outcome(End.BROKEN, created, m, null);
        }
        return new Outcome(End.FAILED, created, m, new KvException("etcd ended the watch on '" + prefix + "': " + m, e));
    }

    private Outcome deliver(List<WatchEvent> events) {
        long after = delivered;
        List<WatchEvent> fresh = events.stream().filter(ev -> ev.revision() > after).toList();
        if (fresh.isEmpty() || closing) {
            return null;
        }
        try {
            listener.onEvents(fresh);
        } catch (RuntimeException | Error e) {
            return new Outcome(End.FAILED, created, "the listener threw",
                    new KvException("the watch listener on '" + prefix + "' threw: " + e, e));
        }
        delivered = fresh.get(fresh.size() - 1).revision();
        return null;
    }

    /**
     * On the checker thread: ends a stream that was not created within the call timeout, and one that has been
     * silent for a while if its member does not answer a health check (a member that vanished without closing the
     * connection would otherwise hold the watch forever).
     */
    private void check() {
        Request r = current;
        int endpoint = currentEndpoint;
        if (r == null || closing || endpoint < 0) {
            return;
        }
        long now = System.nanoTime();
        if (!created) {
            if (now - streamStarted > timeoutNanos) {
                r.abort(new TimeoutException("no watch created within the call timeout"));
            }
            return;
        }
        if (now - Math.max(lastHeard, streamStarted) < timeoutNanos || http.answeredWithin(endpoint, timeoutNanos)) {
            return;
        }
        try {
            http.callOne(endpoint, "/v3/maintenance/status", EtcdJson.object(), http.callTimeout());
            lastHeard = System.nanoTime();
        } catch (KvException e) {
            if (current == r) {
                r.abort(new IOException("member failed a health check: " + e.getMessage()));
            }
        } catch (RuntimeException e) {
            LOG.warn("etcd watch on '{}': health check failed unexpectedly", prefix, e);
        }
    }

    /** Waits before the next round of reconnects; true if the watch was closed meanwhile. */
    private boolean pause(long millis) {
        try {
            return closed.await(millis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return true;
        }
    }

    @Override
    public void close() {
        closing = true;
        closed.countDown();
        Request r = current;
        if (r != null) {
            r.abort(new IOException("watch closed"));
        }
        if (Thread.currentThread() != thread) {
            try {
                thread.join(Math.max(1_000, http.callTimeout().toMillis()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        checks.cancel(false);
        active = false;
    }
}
