package dev.berth.docker;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.client.BytesRequestContent;
import org.eclipse.jetty.client.CompletableResponseListener;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.InputStreamRequestContent;
import org.eclipse.jetty.client.InputStreamResponseListener;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.client.Response;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.ByteBufferPool;
import org.eclipse.jetty.io.Transport;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.util.thread.ScheduledExecutorScheduler;

/**
 * HTTP/1.1 to the daemon's unix socket with Jetty's client: calls with small JSON answers held whole, streams (events),
 * and transfers whose bodies stream through ({@code docker save} and {@code load} tarballs). The one place where a failed
 * call becomes a {@link DockerException}: an error status by {@link #failure}, no answer by {@link #unreachable}.
 */
final class UnixTransport {
    /** The largest body we buffer: a container list of a few thousand containers fits easily. */
    private static final int MAX_BODY = 64 << 20;
    private static final int MAX_ERROR_BODY = 64 << 10;
    private static final Duration MIN_TRANSFER_IDLE = Duration.ofMinutes(5);

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
        return send("GET", path, null, timeout);
    }

    /**
     * {@code method path}, with {@code json} as its body unless null, waiting at most {@code wait} for the whole answer:
     * the body of a 2xx answer or of a status in {@code alsoOk} (such as 304, "already stopped"); anything else throws.
     */
    byte[] send(String method, String path, byte[] json, Duration wait, int... alsoOk) {
        String call = method + " " + path;
        Request request = request(call, path).method(method).timeout(wait.toMillis(), TimeUnit.MILLISECONDS);
        if (json != null) {
            request.body(new BytesRequestContent("application/json", json));
        }
        try {
            ContentResponse r = new CompletableResponseListener(request, MAX_BODY).send()
                    .get(wait.toMillis() + 1_000, TimeUnit.MILLISECONDS);
            if (r.getStatus() / 100 != 2 && !contains(alsoOk, r.getStatus())) {
                throw failure(call, r.getStatus(), r.getContent());
            }
            return r.getContent();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IllegalArgumentException tooLarge) {
                throw Codec.unreadable(call, "larger than " + (MAX_BODY >> 20) + " MiB", tooLarge);
            }
            throw unreachable(call, e.getCause(), wait);
        } catch (TimeoutException e) {
            request.abort(e);
            throw unreachable(call, e, wait);
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
        Request request = request(call, path).idleTimeout(0, TimeUnit.MILLISECONDS);
        request.send(listener);
        return new Streaming(call, request, opened(call, request, listener, timeout));
    }

    /**
     * A streaming {@code GET path} whose body, however large, is copied to {@code out} as it comes, never held whole.
     * No total timeout: it fails when the daemon sends nothing for {@link #transferIdle()}.
     *
     * @throws UncheckedIOException when writing to {@code out} fails (the request is aborted)
     */
    void download(String path, OutputStream out) {
        String call = "GET " + path;
        Duration idle = transferIdle();
        InputStreamResponseListener listener = new InputStreamResponseListener();
        Request request = request(call, path).idleTimeout(idle.toMillis(), TimeUnit.MILLISECONDS);
        request.send(listener);
        byte[] buffer = new byte[64 << 10];
        try (InputStream body = opened(call, request, listener, idle)) {
            while (true) {
                int n;
                try {
                    n = body.read(buffer);
                } catch (IOException e) {
                    throw unreachable(call, e, idle);
                }
                if (n < 0) {
                    return;
                }
                try {
                    out.write(buffer, 0, n);
                } catch (IOException e) {
                    request.abort(e);
                    throw new UncheckedIOException(call + ": cannot write what the daemon sent: " + e.getMessage(), e);
                }
            }
        } catch (IOException e) {
            // closing the body of a finished answer: nothing left to read
        }
    }

    /**
     * A streaming {@code POST path} sending {@code in} to its end (then closing it) as the body, never held whole: the
     * body of the 2xx answer (at most {@link #MAX_BODY}). No total timeout: it fails when nothing moves either way for
     * {@link #transferIdle()}.
     *
     * @throws UncheckedIOException when reading {@code in} fails (the request is aborted)
     */
    byte[] upload(String path, String contentType, InputStream in) {
        String call = "POST " + path;
        Duration idle = transferIdle();
        CallerStream source = new CallerStream(in);
        InputStreamResponseListener listener = new InputStreamResponseListener();
        Request request = request(call, path).method("POST").idleTimeout(idle.toMillis(), TimeUnit.MILLISECONDS)
                .body(new InputStreamRequestContent(contentType, source,
                        new ByteBufferPool.Sized(client.getByteBufferPool(), false, 64 << 10)));
        request.send(listener);
        try (InputStream body = opened(call, request, listener, null)) {
            byte[] content = body.readNBytes(MAX_BODY + 1);
            if (content.length > MAX_BODY) {
                request.abort(new IOException("answer too large"));
                throw Codec.unreadable(call, "larger than " + (MAX_BODY >> 20) + " MiB", null);
            }
            return content;
        } catch (IOException | DockerUnavailableException e) {
            IOException unread = source.failure;
            if (unread != null) {
                throw new UncheckedIOException(call + ": cannot read what to send: " + unread.getMessage(), unread);
            }
            throw e instanceof DockerUnavailableException u ? u : unreachable(call, e, idle);
        }
    }

    /** The caller's stream, remembering why reading it failed: that is the caller's problem, not the daemon's. */
    private static final class CallerStream extends FilterInputStream {
        private volatile IOException failure;

        CallerStream(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            try {
                return super.read();
            } catch (IOException e) {
                failure = e;
                throw e;
            }
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            try {
                return super.read(b, off, len);
            } catch (IOException e) {
                failure = e;
                throw e;
            }
        }
    }

    /** How long a transfer ({@link #download}, {@link #upload}) may stay silent: the timeout, at least 5 minutes. */
    Duration transferIdle() {
        return timeout.compareTo(MIN_TRANSFER_IDLE) > 0 ? timeout : MIN_TRANSFER_IDLE;
    }

    /**
     * The body of a sent request once its headers came, within {@code wait} (or as long as the request's own idle
     * timeout allows when null); an answer other than 200 throws with the daemon's message.
     */
    private InputStream opened(String call, Request request, InputStreamResponseListener listener, Duration wait) {
        Response r;
        try {
            r = wait == null ? listener.get(Long.MAX_VALUE, TimeUnit.DAYS)
                    : listener.get(wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw unreachable(call, e.getCause(), wait);
        } catch (TimeoutException e) {
            request.abort(e);
            throw unreachable(call, e, wait);
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
                throw unreachable(call, e, wait);
            }
            throw failure(call, r.getStatus(), content);
        }
        return body;
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

    private Request request(String call, String path) {
        if (closed) {
            throw new DockerUnavailableException(call + ": the Docker API client is closed");
        }
        if (!Files.exists(socket)) {
            throw new DockerUnavailableException(call + ": no Docker socket at " + socket);
        }
        return client.newRequest("http://docker" + path).transport(transport);
    }

    private static boolean contains(int[] statuses, int status) {
        for (int s : statuses) {
            if (s == status) {
                return true;
            }
        }
        return false;
    }

    /** An error status: 404 is {@link DockerNotFoundException}, anything else {@link DockerApiException}. */
    static DockerApiException failure(String call, int status, byte[] body) {
        String message = Codec.dockerMessage(body);
        return status == 404 ? new DockerNotFoundException(call, message) : new DockerApiException(call, status, message);
    }

    private DockerUnavailableException unreachable(String call, Throwable cause, Duration wait) {
        if (closed) {
            return new DockerUnavailableException(call + ": the Docker API client is closed", cause);
        }
        if (cause instanceof TimeoutException) {
            String within = wait == null ? "" : " within " + wait.toMillis() + " ms";
            return new DockerUnavailableException(call + ": the daemon at " + socket + " did not answer" + within,
                    cause);
        }
        return new DockerUnavailableException(call + ": cannot reach the daemon at " + socket + ": " + cause, cause);
    }
}
