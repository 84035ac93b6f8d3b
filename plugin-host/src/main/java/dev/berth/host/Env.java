package dev.berth.host;

import java.time.Duration;
import java.util.Map;

/** Reading {@code BERTH_*} settings from the environment, with one precise message per kind of bad value. */
public final class Env {
    private Env() {
    }

    /** The value, trimmed; the fallback when unset or blank. */
    public static String text(Map<String, String> env, String name, String fallback) {
        String v = env.get(name);
        return v == null || v.isBlank() ? fallback : v.trim();
    }

    /** Whole seconds >= 0; the fallback when unset or blank. */
    public static Duration seconds(Map<String, String> env, String name, long fallback) {
        String v = env.get(name);
        if (v == null || v.isBlank()) {
            return Duration.ofSeconds(fallback);
        }
        try {
            long s = Long.parseLong(v.trim());
            if (s < 0) {
                throw new NumberFormatException();
            }
            return Duration.ofSeconds(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a whole number of seconds >= 0, not '" + v + "'");
        }
    }

    /** true/false (also 1/0, yes/no); the fallback when unset or blank. */
    public static boolean bool(Map<String, String> env, String name, boolean fallback) {
        String v = env.get(name);
        if (v == null || v.isBlank()) {
            return fallback;
        }
        return switch (v.trim().toLowerCase()) {
            case "true", "1", "yes" -> true;
            case "false", "0", "no" -> false;
            default -> throw new IllegalArgumentException(name + " must be true or false, not '" + v + "'");
        };
    }
}
