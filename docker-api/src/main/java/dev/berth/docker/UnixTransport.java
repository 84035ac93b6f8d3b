package dev.berth.docker;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.client.CompletableResponseListener;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.InputStreamResponseListener;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.client.Response;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Transport;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.util.thread.ScheduledExecutorScheduler;

/**
 * HTTP/1.1 GETs to the daemon's unix socket with Jetty's client, and the one place where a failed call becomes a
 * {@link DockerException}: an error status by {@link #failure}, no answer by {@link #unreachable}.
 */
final class UnixTransport {
    /** The largest body we buffer: a container list of a few thousand containers fits easily. */
    private static final int MAX_BODY = 64 << 20;
    private static final int MAX_ERROR_BODY = 64 << 10;

    private final Path socket;
    private final Duration timeout;
    private final Transport transport;
    private final HttpClient client;
    private volatile boolean closed;

    UnixTransport(Path socket, Duration timeout) {
        this.socket = socket;
        this.timeout = timeout;
        this.transport = new Transport.TCPUnix(socket);
        QueuedThreadPool pool = new QueuedThreadPool(16, 1, 30_000);
        pool.setName("docker-api");
        pool.setDaemon(true);
        pool.setReservedThreads(0);
        HttpClient c = new HttpClient();
        c.setExecutor(pool);
        c.setScheduler(new ScheduledExecutorScheduler("docker-api-timer", true));
        c.setFollowRedirects(false);
        c.setConnectTimeout(timeout.toMillis());
        c.setUserAgentField(new HttpField(HttpHeader.USER_AGENT, "berth-docker-api"));
        try {
            c.start();
        } catch (Exception e) {
            throw new IllegalStateException("cannot start the HTTP client for " + socket + ": " + e, e);
        }
        this.client = c;
    }

    Path socket() {
        return socket;
    }

    Duration timeout() {
        return timeout;
    }

    /** {@code GET path}: the body of a 2xx answer; anything else throws. */
    byte[] get(String path) {
        String call = "GET " + path;
        Request request = request(path).timeout(timeout.toMillis(), TimeUnit.MILLISECONDS);
        try {
            ContentResponse r = new CompletableResponseListener(request, MAX_BODY).send()
                    .get(timeout.toMillis() + 1_000, TimeUnit.MILLISECONDS);
            if (r.getStatus() / 100 != 2) {
                throw failure(call, r.getStatus(), r.getContent());
            }
            return r.getContent();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IllegalArgumentException tooLarge) {
                throw Codec.unreadable(call, "larger than " + (MAX_BODY >> 20) + " MiB", tooLarge);
            }
            throw unreachable(call, e.getCause());
        } catch (TimeoutException e) {
            request.abort(e);
            throw unreachable(call, e);
        } catch (InterruptedException e) {
            request.abort(e);
            Thread.currentThread().interrupt();
            throw new DockerUnavailableException(call + ": interrupted", e);
        }
    }

    /** A streaming {@code GET path}, once its 200 and headers arrived within the timeout; its body may never end. */
    Streaming stream(String path) {
        String call = "GET " + path;
        InputStreamResponseListener listener = new InputStreamResponseListener();
        // no total timeout and no idle timeout: the daemon sends nothing while nothing happens
        Request request = request(path).idleTimeout(0, TimeUnit.MILLISECONDS);
        request.send(listener);
        Response r;
        try {
            r = listener.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw unreachable(call, e.getCause());
        } catch (TimeoutException e) {
            request.abort(e);
            throw unreachable(call, e);
        } catch (InterruptedException e) {
            request.abort(e);
            Thread.currentThread().interrupt();
            throw new DockerUnavailableException(call + ": interrupted", e);
        }
        InputStream body = listener.getInputStream();
        if (r.getStatus() != 200) {
            byte[] content;
            try (body) {
                content = body.readNBytes(MAX_ERROR_BODY);
            } catch (IOException e) {
                throw unreachable(call, e);
            }
            throw failure(call, r.getStatus(), content);
        }
        return new Streaming(call, request, body);
    }

    /** An open streaming answer: its body, and the request to abort to end it. */
    record Streaming(String call, Request request, InputStream body) {
        void abort() {
            request.abort(new CancellationException("closed by the caller"));
            try {
                body.close();
            } catch (IOException ignored) {
                // aborted anyway
            }
        }
    }

    void close() {
        closed = true;
        try {
            client.stop();
        } catch (Exception e) {
            // nothing more to release: stop closed every connection it could
        }
    }

    private Request request(String path) {
        if (closed) {
            throw new DockerUnavailableException("GET " + path + ": the Docker API client is closed");
        }
        if (!Files.exists(socket)) {
            throw new DockerUnavailableException("GET " + path + ": no Docker socket at " + socket);
        }
        return client.newRequest("http://docker" + path).transport(transport);
    }

    /** An error status: 404 is {@link DockerNotFoundException}, anything else {@link DockerApiException}. */
    static DockerApiException failure(String call, int status, byte[] body) {
        String message = Codec.dockerMessage(body);
        return status == 404 ? new DockerNotFoundException(call, message) : new DockerApiException(call, status, message);
    }

    private DockerUnavailableException unreachable(String call, Throwable cause) {
        if (closed) {
            return new DockerUnavailableException(call + ": the Docker API client is closed", cause);
        }
        if (cause instanceof TimeoutException) {
            return new DockerUnavailableException(call + ": the daemon at " + socket + " did not answer within "
                    + timeout.toMillis() + " ms", cause);
        }
        return new DockerUnavailableException(call + ": cannot reach the daemon at " + socket + ": " + cause, cause);
    }
}
