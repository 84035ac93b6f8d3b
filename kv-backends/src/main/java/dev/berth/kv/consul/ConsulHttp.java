package dev.berth.kv.consul;

import dev.berth.kv.KvException;
import dev.berth.kv.KvUnavailableException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.client.BytesRequestContent;
import org.eclipse.jetty.client.CompletableResponseListener;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.util.thread.ScheduledExecutorScheduler;

/**
 * Sends {@link ConsulRequest}s to the agent over Jetty's HTTP client, with the ACL token and TLS, each within a time
 * budget. The one place HTTP outcomes become store errors:
 * <ul>
 * <li>200, 404 (no such key) and 409 (transaction rolled back) are answers, returned with X-Consul-Index;</li>
 * <li>403 is a {@link KvException} about the ACL token; other 4xx are {@link KvException}s with Consul's text;</li>
 * <li>no connection, no answer in time, or 5xx: reads are retried until the budget is spent, then
 *     {@link KvUnavailableException}; a write that may have reached the agent is not resent and fails with
 *     {@link KvUnavailableException} saying its outcome is unknown.</li>
 * </ul>
 */
final class ConsulHttp implements AutoCloseable {
    private static final int MAX_ANSWER = 64 * 1024 * 1024;
    /** A retry is not started with less time than this left: it could only time out and hide the real error. */
    private static final long MIN_ATTEMPT_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

    /** An HTTP answer: status, X-Consul-Index (-1 when absent), body. */
    record Answer(int status, long index, byte[] body) {
    }

    private final HttpClient client;
    private final ConsulConfig config;
    private volatile boolean closed;

    private ConsulHttp(HttpClient client, ConsulConfig config) {
        this.client = client;
        this.config = config;
    }

    static ConsulHttp open(ConsulConfig config) {
        QueuedThreadPool pool = new QueuedThreadPool(64, 2, 60_000);
        pool.setName("berth-consul-http");
        pool.setDaemon(true);
        pool.setReservedThreads(0);
        HttpClient client = new HttpClient();
        client.setExecutor(pool);
        client.setScheduler(new ScheduledExecutorScheduler("berth-consul-http-scheduler", true));
        client.setConnectTimeout(Math.max(200, Math.min(2_000, config.callTimeout().toMillis() / 2)));
        client.setIdleTimeout(120_000);
        client.setFollowRedirects(false);
        if (config.tls()) {
            client.setSslContextFactory(tls(config.caCert()));
        }
        try {
            client.start();
        } catch (Exception e) {
            throw new KvException("cannot start the HTTP client for Consul: " + e.getMessage(), e);
        }
        return new ConsulHttp(client, config);
    }

    /** The headers every request carries: the ACL token when there is one. */
    static Map<String, String> headers(ConsulConfig config) {
        Map<String, String> h = new LinkedHashMap<>();
        if (config.token() != null) {
            h.put("X-Consul-Token", config.token());
        }
        return h;
    }

    /** Sends a request that may be repeated (reads, session renewals): retried until the budget is spent. */
    Answer read(ConsulRequest request, Duration budget) {
        return send(request, budget, true);
    }

    /** Sends a write once (it may have been applied if it fails after being sent). */
    Answer write(ConsulRequest request, Duration budget) {
        return send(request, budget, false);
    }

    private Answer send(ConsulRequest request, Duration budget, boolean repeatable) {
        long deadline = System.nanoTime() + budget.toNanos();
        String last = "not sent";
        for (int attempts = 0; ; attempts++) {
            if (closed) {
                throw new KvException(config + " is closed");
            }
            long left = deadline - System.nanoTime();
            if (left <= 0 || (attempts > 0 && left < MIN_ATTEMPT_NANOS)) {
                throw new KvUnavailableException("Consul agent " + config.baseUrl() + " did not answer " + request
                        + " within " + budget.toMillis() + " ms (" + last + ")");
            }
            Request req = client.newRequest(config.baseUrl() + request.pathAndQuery()).method(request.method())
                    .timeout(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)), TimeUnit.MILLISECONDS);
            headers(config).forEach((k, v) -> req.headers(h -> h.put(k, v)));
            if (request.body() != null) {
                req.body(new BytesRequestContent("application/json", request.body()));
            }
            try {
                ContentResponse r = new CompletableResponseListener(req, MAX_ANSWER).send()
                        .get(left + TimeUnit.SECONDS.toNanos(1), TimeUnit.NANOSECONDS);
                int status = r.getStatus();
                if (status == 200 || status == 404 || status == 409) {
                    return new Answer(status, index(r.getHeaders().get("X-Consul-Index")), r.getContent());
                }
                String text = new String(r.getContent(), StandardCharsets.UTF_8).strip();
                if (status == 403) {
                    throw new KvException("Consul refused " + request + ": permission denied (check the ACL token "
                            + "of the store URL: " + text + ")");
                }
                if (status < 500) {
                    throw new KvException("Consul rejected " + request + ": HTTP " + status + " " + text);
                }
                last = "HTTP " + status + " " + text;
                if (!repeatable) {
                    throw new KvUnavailableException("Consul agent " + config.baseUrl() + " failed " + request + " ("
                            + last + "); the write may or may not have been applied");
                }
            } catch (InterruptedException e) {
                req.abort(e);
                Thread.currentThread().interrupt();
                throw new KvException("interrupted while calling Consul " + request, e);
            } catch (TimeoutException | ExecutionException e) {
                req.abort(e);
                Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
                boolean notSent = cause instanceof ConnectException || cause instanceof UnknownHostException
                        || cause instanceof UnresolvedAddressException;
                last = cause.getClass().getSimpleName() + ": " + cause.getMessage();
                if (!repeatable && !notSent) {
                    throw new KvUnavailableException("Consul agent " + config.baseUrl() + " did not answer " + request
                            + " (" + last + "); the write may or may not have been applied", cause);
                }
            }
            sleep(Math.min(100, Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()))));
        }
    }

    static long index(String header) {
        if (header == null || header.isEmpty()) {
            return -1;
        }
        try {
            return Long.parseUnsignedLong(header.strip());
        } catch (NumberFormatException e) {
            throw new KvException("Consul sent an X-Consul-Index that is not a number: " + header);
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            client.stop();
        } catch (Exception e) {
            // nothing left to release
        }
    }

    private static SslContextFactory.Client tls(Path caCert) {
        SslContextFactory.Client f = new SslContextFactory.Client();
        if (caCert != null) {
            f.setTrustStore(trustStore(caCert));
        }
        return f;
    }

    /** A trust store holding every certificate of a PEM file. */
    static KeyStore trustStore(Path pem) {
        try {
            KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
            ks.load(null, null);
            int i = 0;
            for (Certificate c : CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(Files.readAllBytes(pem)))) {
                ks.setCertificateEntry("consul-ca-" + i++, c);
            }
            if (i == 0) {
                throw new IllegalArgumentException("consul cacert " + pem + " holds no certificate");
            }
            return ks;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("consul cacert " + pem + " cannot be read: " + e.getMessage(), e);
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KvException("interrupted while waiting for Consul", e);
        }
    }
}
