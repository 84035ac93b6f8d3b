package dev.berth.kv;

import java.time.Duration;
import java.util.Map;

/**
 * Settings common to every backend, from the store URL's parameters. {@code timeout} bounds every call (default 5 s);
 * {@code watch-buffer} bounds how many undelivered events a slow watcher may hold before it is reset, where the backend
 * buffers (default 100000; etcd keeps the backlog on the server instead).
 */
public record KvOptions(Duration callTimeout, int watchBuffer) {
    public static final KvOptions DEFAULTS = new KvOptions(Duration.ofSeconds(5), 100_000);

    public KvOptions {
        if (callTimeout.isNegative() || callTimeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive");
        }
        if (watchBuffer < 1) {
            throw new IllegalArgumentException("watch-buffer must be positive");
        }
    }

    static KvOptions from(Map<String, String> params) {
        Duration timeout = params.containsKey("timeout") ? duration(params.get("timeout")) : DEFAULTS.callTimeout;
        int buffer = params.containsKey("watch-buffer") ? Integer.parseInt(params.get("watch-buffer"))
                : DEFAULTS.watchBuffer;
        return new KvOptions(timeout, buffer);
    }

    public KvOptions withCallTimeout(Duration value) {
        return new KvOptions(value, watchBuffer);
    }

    static Duration duration(String s) {
        try {
            if (s.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(s.substring(0, s.length() - 2)));
            }
            if (s.endsWith("s")) {
                return Duration.ofMillis(Math.round(Double.parseDouble(s.substring(0, s.length() - 1)) * 1000));
            }
            return Duration.ofSeconds(Long.parseLong(s));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("timeout '" + s + "': use for example 5s or 500ms");
        }
    }
}
