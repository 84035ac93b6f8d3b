package dev.berth.host.internal;

import dev.berth.host.HealthCheck;
import dev.berth.host.api.ActivateResponse;
import dev.berth.host.api.ErrorResponse;
import dev.berth.host.api.Identified;
import dev.berth.host.error.BadRequestException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns an HTTP exchange into a driver call: path to route, body to wire record, result or exception to status and
 * JSON. Writes one log line and one metrics sample per call. The request is fully parsed and validated before the
 * driver is touched, so a bad request changes nothing.
 */
public final class PluginHandler extends Handler.Abstract {
    static final String MEDIA_TYPE = "application/vnd.docker.plugins.v1.2+json";
    private static final Logger CALLS = LoggerFactory.getLogger("dev.berth.host.calls");

    private final RouteTable routes;
    private final JsonCodec json;
    private final Metrics metrics;
    private final int maxBodyBytes;
    private final StatusSource status;

    /** What {@code GET /status} reports besides the checks. */
    public record StatusSource(String name, String version, Instant started, List<HealthCheck> checks) {
    }

    public PluginHandler(RouteTable routes, JsonCodec json, Metrics metrics, int maxBodyBytes, StatusSource status) {
        super(InvocationType.BLOCKING);
        this.routes = routes;
        this.json = json;
        this.metrics = metrics;
        this.maxBodyBytes = maxBodyBytes;
        this.status = status;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        long started = System.nanoTime();
        String path = request.getHttpURI().getPath();
        String httpMethod = request.getMethod();
        if ("GET".equals(httpMethod) && "/metrics".equals(path)) {
            send(response, callback, 200, "text/plain; version=0.0.4; charset=utf-8",
                    metrics.render().getBytes(StandardCharsets.UTF_8));
            return true;
        }
        if ("GET".equals(httpMethod) && "/status".equals(path)) {
            sendStatus(response, callback);
            return true;
        }
        Route<?> route = "/Plugin.Activate".equals(path) ? null : routes.find(path);
        String method = route != null ? route.method() : "/Plugin.Activate".equals(path) ? "Plugin.Activate"
                : Metrics.UNKNOWN;
        String ids = "";
        int code;
        byte[] body;
        String err = null;
        try {
            if (route == null && !"Plugin.Activate".equals(method)) {
                throw ProtocolRefusal.notImplemented(truncate(path, 80));
            }
            if (!"POST".equals(httpMethod)) {
                throw ProtocolRefusal.wrongMethod(truncate(httpMethod, 10), truncate(path, 80));
            }
            checkContentType(request);
            byte[] raw = readBody(request);
            Object result;
            if (route == null) {
                result = new ActivateResponse(routes.interfaces());
            } else {
                Object parsed = json.read(raw, route.requestType());
                if (parsed instanceof Identified id) {
                    ids = id.ids();
                }
                result = route.invoke(parsed);
            }
            code = 200;
            body = json.write(result);
        } catch (RuntimeException e) {
            ErrorMapper.Mapped mapped = ErrorMapper.map(e, method);
            code = mapped.status();
            err = mapped.message();
            body = json.write(new ErrorResponse(err));
        }
        // counted before the reply leaves: a client that reads /metrics right after its call sees the call
        long took = System.nanoTime() - started;
        metrics.record(method, code, took);
        send(response, callback, code, MEDIA_TYPE, body);
        log(method.equals(Metrics.UNKNOWN) ? httpMethod + " " + truncate(path, 80) : method, code, took, ids, err);
        return true;
    }

    private void checkContentType(Request request) {
        String ct = request.getHeaders().get(HttpHeader.CONTENT_TYPE);
        // Docker sends no Content-Type at all; anything declared must be some JSON.
        if (ct != null && !ct.toLowerCase(java.util.Locale.ROOT).contains("json")) {
            throw ProtocolRefusal.unsupportedMediaType(truncate(ct, 60));
        }
    }

    private byte[] readBody(Request request) {
        long declared = request.getLength();
        if (declared > maxBodyBytes) {
            throw new BadRequestException("request body of " + declared + " bytes exceeds the limit of "
                    + maxBodyBytes + " bytes");
        }
        try (InputStream in = Content.Source.asInputStream(request)) {
            byte[] raw = in.readNBytes(maxBodyBytes + 1);
            if (raw.length > maxBodyBytes) {
                throw new BadRequestException("request body exceeds the limit of " + maxBodyBytes + " bytes");
            }
            return raw;
        } catch (IOException e) {
            throw new BadRequestException("could not read the request body: " + e.getMessage(), e);
        }
    }

    private void sendStatus(Response response, Callback callback) {
        Map<String, String> checks = new LinkedHashMap<>();
        boolean healthy = true;
        for (HealthCheck check : status.checks()) {
            Optional<String> problem;
            try {
                problem = check.problem();
            } catch (RuntimeException e) {
                problem = Optional.of(e.toString());
            }
            checks.put(check.name(), problem.orElse("ok"));
            healthy &= problem.isEmpty();
        }
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("Name", status.name());
        s.put("Version", status.version());
        s.put("Implements", routes.interfaces());
        s.put("UptimeSeconds", Duration.between(status.started(), Instant.now()).toSeconds());
        s.put("ResidentBytes", Metrics.residentBytes());
        s.put("Checks", checks);
        send(response, callback, healthy ? 200 : 503, "application/json", json.write(s));
    }

    private static void send(Response response, Callback callback, int code, String contentType, byte[] body) {
        response.setStatus(code);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, contentType);
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
        response.write(true, ByteBuffer.wrap(body), callback);
    }

    private static void log(String method, int code, long nanos, String ids, String err) {
        long centis = Math.max(0, (nanos + 5_000) / 10_000);
        long frac = centis % 100;
        String ms = centis / 100 + (frac < 10 ? ".0" : ".") + frac + "ms";
        if (err == null) {
            CALLS.info("{} {} {} {}", method, code, ms, ids);
        } else {
            CALLS.warn("{} {} {} {} err=\"{}\"", method, code, ms, ids, err.replace('"', '\''));
        }
    }

    static String truncate(String s, int max) {
        String clean = s.replaceAll("[^\\x20-\\x7e]", "?");
        return clean.length() > max ? clean.substring(0, max) + "..." : clean;
    }
}
