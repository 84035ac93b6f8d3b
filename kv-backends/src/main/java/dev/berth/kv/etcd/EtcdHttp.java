package dev.berth.kv.etcd;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.kv.KvException;
import dev.berth.kv.KvUnavailableException;
import dev.berth.kv.KvUrl;
import java.io.EOFException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.nio.channels.UnresolvedAddressException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.ReentrantLock;
import org.eclipse.jetty.client.CompletableResponseListener;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.ProxyAuthenticationProtocolHandler;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.client.WWWAuthenticationProtocolHandler;
import org.eclipse.jetty.client.BytesRequestContent;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.util.thread.ScheduledExecutorScheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The way to etcd: one Jetty HTTP client, the members' endpoints, fail-over between them within one deadline per
 * call, and the auth token. Every call either answers within its budget or raises {@link KvUnavailableException}
 * naming the endpoints it tried; errors etcd answered with come out as {@link EtcdServerException}.
 *
 * <p>A request that may have reached a member which then died is resent elsewhere only when resending is harmless
 * ({@link Retry#IDEMPOTENT}); otherwise ({@link Retry#ONCE}, transactions) the caller learns the outcome is unknown.
 */
final class EtcdHttp implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EtcdHttp.class);
    private static final int MAX_ANSWER = 64 * 1024 * 1024;
    private static final long MIN_ATTEMPT = TimeUnit.SECONDS.toNanos(1);

    /** What may be done with a request whose member failed after it may have received it. */
    enum Retry {
        /** Resending gives the same end state (reads, put, delete, lease calls): resend to the next member. */
        IDEMPOTENT,
        /** Resending could apply it twice or misreport it (transactions): resend only if surely not applied. */
        ONCE
    }

    private final HttpClient client;
    private final List<KvUrl.Endpoint> endpoints;
    private final List<String> bases;
    private final Duration callTimeout;
    private final String user;
    private final String password;
    private final ReentrantLock authLock = new ReentrantLock();
    private final AtomicInteger preferred = new AtomicInteger();
    private final AtomicLongArray lastAnswer;
    private volatile String token;
    private volatile boolean closed;

    private EtcdHttp(HttpClient client, KvUrl url, boolean tls) {
        this.client = client;
        this.endpoints = url.endpoints();
        this.bases = endpoints.stream().map(e -> (tls ? "https://" : "http://") + e).toList();
        this.callTimeout = url.options().callTimeout();
        this.user = url.param("user", null);
        this.password = url.param("password", "");
        this.lastAnswer = new AtomicLongArray(endpoints.size());
    }

    static EtcdHttp open(KvUrl url) {
        boolean tls = EtcdTls.enabled(url);
        QueuedThreadPool pool = new QueuedThreadPool(64, 2, 60_000);
        pool.setName("berth-etcd-http");
        pool.setDaemon(true);
        pool.setReservedThreads(0);
        HttpClient client = new HttpClient();
        client.setExecutor(pool);
        client.setScheduler(new ScheduledExecutorScheduler("berth-etcd-http-scheduler", true));
        client.setConnectTimeout(Math.min(2_000, Math.max(200, url.options().callTimeout().toMillis() / 2)));
        client.setIdleTimeout(120_000);
        client.setMaxConnectionsPerDestination(64);
        client.setFollowRedirects(false);
        if (tls) {
            client.setSslContextFactory(EtcdTls.factory(url));
        }
        try {
            client.start();
        } catch (Exception e) {
            throw new KvException("cannot start the HTTP client for etcd: " + e.getMessage(), e);
        }
        // etcd answers a bad token with 401 and no WWW-Authenticate header: Jetty's challenge handling would turn
        // that into a protocol error and hide etcd's JSON error, which says to re-authenticate
        client.getProtocolHandlers().remove(WWWAuthenticationProtocolHandler.NAME);
        client.getProtocolHandlers().remove(ProxyAuthenticationProtocolHandler.NAME);
        return new EtcdHttp(client, url, tls);
    }

    Duration callTimeout() {
        return callTimeout;
    }

    int endpointCount() {
        return endpoints.size();
    }

    String endpoint(int i) {
        return endpoints.get(i).toString();
    }

    /** The member the last successful call went to: where the next call (or a new watch) starts. */
    int preferred() {
        return preferred.get();
    }

    /** Whether member i answered anything (even an error) within the last {@code nanos}. */
    boolean answeredWithin(int i, long nanos) {
        long t = lastAnswer.get(i);
        return t != 0 && System.nanoTime() - t < nanos;
    }

    boolean isClosed() {
        return closed;
    }

    JsonNode call(String path, JsonNode body, Retry retry) {
        return call(path, body, retry, callTimeout);
    }

    /** Sends to the preferred member, then the others, round after round, until an answer or the budget is spent. */
    JsonNode call(String path, JsonNode body, Retry retry, Duration budget) {
        ensureOpen();
        byte[] bytes = EtcdJson.bytes(body);
        long deadline = System.nanoTime() + budget.toNanos();
        int n = endpoints.size();
        int start = preferred.get();
        String last = "no member tried";
        for (int round = 0; ; round++) {
            for (int k = 0; k < n; k++) {
                int i = (start + k) % n;
                long remaining = deadline - System.nanoTime();
                if (remaining <= 0) {
                    break;
                }
                long attempt = retry == Retry.IDEMPOTENT && n > 1
                        ? Math.max(Math.min(remaining, MIN_ATTEMPT), remaining / 2) : remaining;
                try {
                    JsonNode answer = attemptWithAuth(i, path, bytes, attempt, deadline);
                    preferred.set(i);
                    return answer;
                } catch (EtcdServerException e) {
                    if (!e.retryable()) {
                        throw e;
                    }
                    if (retry == Retry.ONCE && !e.notApplied()) {
                        throw outcomeUnknown(path, i, e.getMessage(), e);
                    }
                    last = endpoint(i) + ": " + e.getMessage();
                } catch (TransportFailure f) {
                    if (retry == Retry.ONCE && f.maybeApplied) {
                        throw outcomeUnknown(path, i, f.getMessage(), f);
                    }
                    last = endpoint(i) + ": " + f.getMessage();
                }
                ensureOpen();
            }
            long remaining = deadline - System.nanoTime();
            if (remaining <= 0) {
                throw new KvUnavailableException("etcd unavailable: no member of " + endpoints + " could serve "
                        + path + " within " + budget.toMillis() + " ms (last: " + last + ")");
            }
            sleep(Math.min(remaining, TimeUnit.MILLISECONDS.toNanos(Math.min(500, 50L * (round + 1)))));
        }
    }

    /** One attempt at one member (no fail-over), for health checks. Raises {@link KvUnavailableException} on failure. */
    JsonNode callOne(int i, String path, JsonNode body, Duration timeout) {
        ensureOpen();
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            return attemptWithAuth(i, path, EtcdJson.bytes(body), timeout.toNanos(), deadline);
        } catch (TransportFailure f) {
            throw new KvUnavailableException("etcd member " + endpoint(i) + ": " + f.getMessage(), f);
        }
    }

    /**
     * A streaming request to one member, not yet sent, without a timeout (a watch lasts until closed). It asks the
     * member to end the stream when it loses its leader ({@code hasleader} metadata), so a partitioned member cannot
     * hold a watch silently.
     */
    Request stream(int i, String path, JsonNode body, String tokenToSend) {
        Request r = client.newRequest(bases.get(i) + path).method(HttpMethod.POST).idleTimeout(0, TimeUnit.MILLISECONDS)
                .body(new BytesRequestContent("application/json", EtcdJson.bytes(body)))
                .headers(h -> h.put("Grpc-Metadata-hasleader", "true"));
        if (tokenToSend != null) {
            r.headers(h -> h.put(HttpHeader.AUTHORIZATION, tokenToSend));
        }
        return r;
    }

    /** The token to send (authenticating first if needed), or null without credentials. */
    String token(long deadline) {
        if (user == null) {
            return null;
        }
        String t = token;
        return t != null ? t : authenticate(null, deadline);
    }

    /** Gets a new token unless another thread already replaced {@code stale}. */
    String authenticate(String stale, long deadline) {
        try {
            if (!authLock.tryLock(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                throw new KvUnavailableException("etcd: timed out waiting for authentication as " + user);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KvException("interrupted while authenticating to etcd", e);
        }
        try {
            String current = token;
            if (current != null && !current.equals(stale)) {
                return current;
            }
            token = null;
            Duration left = Duration.ofNanos(Math.max(1, deadline - System.nanoTime()));
            JsonNode answer;
            try {
                answer = call("/v3/auth/authenticate", EtcdJson.authenticate(user, password), Retry.IDEMPOTENT, left);
            } catch (EtcdServerException e) {
                throw new KvException("etcd refused authentication as " + user + ": " + e.getMessage(), e);
            }
            String fresh = answer.path("token").asText(null);
            if (fresh == null) {
                throw new KvException("etcd answered authentication as " + user + " without a token");
            }
            if (stale != null) {
                LOG.info("etcd rejected the auth token of {}; authenticated again", user);
            }
            token = fresh;
            return fresh;
        } finally {
            authLock.unlock();
        }
    }

    private JsonNode attemptWithAuth(int i, String path, byte[] body, long nanos, long deadline) {
        boolean auth = user != null && !path.equals("/v3/auth/authenticate");
        String sent = auth ? token(deadline) : null;
        try {
            return attempt(i, path, body, nanos, sent);
        } catch (EtcdServerException e) {
            if (auth && e.invalidToken()) {
                String fresh = authenticate(sent, deadline);
                long left = Math.min(nanos, deadline - System.nanoTime());
                if (left <= 0) {
                    throw new TransportFailure("no time left after re-authenticating", false, e);
                }
                return attempt(i, path, body, left, fresh);
            }
            if (e.authRequired()) {
                throw new KvException("etcd requires authentication: add user= and password= to the store URL ("
                        + e.getMessage() + ")", e);
            }
            throw e;
        }
    }

    private JsonNode attempt(int i, String path, byte[] body, long nanos, String tokenToSend) {
        AtomicBoolean committed = new AtomicBoolean();
        Request req = client.newRequest(bases.get(i) + path).method(HttpMethod.POST)
                .timeout(Math.max(1, TimeUnit.NANOSECONDS.toMillis(nanos)), TimeUnit.MILLISECONDS)
                .body(new BytesRequestContent("application/json", body))
                .onRequestCommit(r -> committed.set(true));
        if (tokenToSend != null) {
            req.headers(h -> h.put(HttpHeader.AUTHORIZATION, tokenToSend));
        }
        ContentResponse response;
        try {
            response = new CompletableResponseListener(req, MAX_ANSWER).send()
                    .get(nanos + TimeUnit.SECONDS.toNanos(1), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            req.abort(e);
            Thread.currentThread().interrupt();
            throw new KvException("interrupted while calling etcd " + path, e);
        } catch (TimeoutException e) {
            req.abort(e);
            throw new TransportFailure("no answer within " + TimeUnit.NANOSECONDS.toMillis(nanos) + " ms", true, e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            boolean refused = cause instanceof ConnectException || cause instanceof UnknownHostException
                    || cause instanceof UnresolvedAddressException;
            throw new TransportFailure(describe(cause), !refused && committed.get(), cause);
        }
        lastAnswer.set(i, System.nanoTime());
        JsonNode json;
        try {
            json = EtcdJson.parse(response.getContent());
        } catch (KvException e) {
            throw new TransportFailure("HTTP " + response.getStatus() + " with an unreadable body", true, e);
        }
        var error = EtcdJson.error(json);
        if (error.isPresent()) {
            throw error.get();
        }
        if (response.getStatus() != 200) {
            throw new TransportFailure("HTTP " + response.getStatus(), true, null);
        }
        return json;
    }

    private KvUnavailableException outcomeUnknown(String path, int i, String why, Throwable cause) {
        return new dev.berth.kv.KvOutcomeUnknownException("etcd member " + endpoint(i) + " failed during " + path + " (" + why
                + "); the outcome is unknown: read the key to learn whether it was applied", cause);
    }

    static String describe(Throwable t) {
        if (t instanceof TimeoutException) {
            return "timed out";
        }
        if (t instanceof ConnectException) {
            return "connection refused";
        }
        if (t instanceof EOFException) {
            return "connection closed by the member";
        }
        String m = t.getMessage();
        return t.getClass().getSimpleName() + (m == null ? "" : ": " + m);
    }

    void ensureOpen() {
        if (closed) {
            throw new KvException("the etcd store is closed");
        }
    }

    private void sleep(long nanos) {
        try {
            TimeUnit.NANOSECONDS.sleep(nanos);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KvException("interrupted while waiting to retry etcd", e);
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            client.stop();
        } catch (Exception e) {
            LOG.warn("stopping the etcd HTTP client: {}", e.toString());
        }
    }

    /** A member could not be reached, or broke off: {@code maybeApplied} when it may have received the request. */
    static final class TransportFailure extends RuntimeException {
        final boolean maybeApplied;

        TransportFailure(String message, boolean maybeApplied, Throwable cause) {
            super(message, cause);
            this.maybeApplied = maybeApplied;
        }
    }
}
