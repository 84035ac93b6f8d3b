package dev.berth.kv;

import java.time.Duration;
import java.util.Map;

/**
 * Settings common to every backend, from the store URL's parameters: {@code timeout} bounds every call (default 5 s).
 * Watches hold no buffer of their own: each delivers on its own thread, and a slow listener slows only its watch.
 */
public record KvOptions(Duration callTimeout) {
    public static final KvOptions DEFAULTS = new KvOptions(Duration.ofSeconds(5));

    public KvOptions {
        if (callTimeout.isNegative() || callTimeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive");
        }
    }

    static KvOptions from(Map<String, String> params) {
        return new KvOptions(params.containsKey("timeout") ? duration(params.get("timeout")) : DEFAULTS.callTimeout);
    }

    public KvOptions withCallTimeout(Duration value) {
        return new KvOptions(value);
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
