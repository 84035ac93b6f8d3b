package dev.berth.host;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * How a plugin process serves: immutable, with defaults, read from {@code BERTH_*} environment variables.
 *
 * <pre>
 * BERTH_SOCKET=/run/docker/plugins/berth.sock   # where to listen (managed plugins: interface.socket in config.json)
 * BERTH_PLUGIN_NAME=berth/zfs                    # shown in logs and GET /status
 * BERTH_VERSION=0.1.0                            # shown in GET /status
 * BERTH_MAX_BODY_BYTES=1048576                   # larger request bodies are refused with 400
 * BERTH_MAX_THREADS=16                           # concurrent calls being served
 * BERTH_STOP_TIMEOUT_SECONDS=20                  # SIGTERM waits this long for in-flight calls
 * </pre>
 */
public record PluginConfig(Path socket, String name, String version, int maxBodyBytes, int maxThreads,
                           Duration stopTimeout) {
    public static final Path DEFAULT_SOCKET = Path.of("/run/docker/plugins/berth.sock");

    public PluginConfig {
        if (socket == null) {
            throw new IllegalArgumentException("BERTH_SOCKET: a socket path is required");
        }
        if (socket.toString().getBytes().length > 107) {
            throw new IllegalArgumentException("BERTH_SOCKET: " + socket + " is longer than a unix socket path may be (107 bytes)");
        }
        if (maxBodyBytes < 1024) {
            throw new IllegalArgumentException("BERTH_MAX_BODY_BYTES must be at least 1024, not " + maxBodyBytes);
        }
        if (maxThreads < 4) {
            throw new IllegalArgumentException("BERTH_MAX_THREADS must be at least 4, not " + maxThreads);
        }
        if (stopTimeout.isNegative()) {
            throw new IllegalArgumentException("BERTH_STOP_TIMEOUT_SECONDS must not be negative");
        }
    }

    /** Defaults for a socket path; the name defaults to "berth". */
    public static PluginConfig defaults(Path socket) {
        return new PluginConfig(socket, "berth", defaultVersion(), 1 << 20, 16, Duration.ofSeconds(20));
    }

    public static PluginConfig fromEnv(Map<String, String> env) {
        return new PluginConfig(
                Path.of(env.getOrDefault("BERTH_SOCKET", DEFAULT_SOCKET.toString())),
                env.getOrDefault("BERTH_PLUGIN_NAME", "berth"),
                env.getOrDefault("BERTH_VERSION", defaultVersion()),
                intVar(env, "BERTH_MAX_BODY_BYTES", 1 << 20),
                intVar(env, "BERTH_MAX_THREADS", 16),
                Duration.ofSeconds(intVar(env, "BERTH_STOP_TIMEOUT_SECONDS", 20)));
    }

    public PluginConfig withName(String value) {
        return new PluginConfig(socket, value, version, maxBodyBytes, maxThreads, stopTimeout);
    }

    public PluginConfig withStopTimeout(Duration value) {
        return new PluginConfig(socket, name, version, maxBodyBytes, maxThreads, value);
    }

    public PluginConfig withMaxBodyBytes(int value) {
        return new PluginConfig(socket, name, version, value, maxThreads, stopTimeout);
    }

    private static int intVar(Map<String, String> env, String key, int fallback) {
        String v = env.get(key);
        if (v == null || v.isBlank()) {
            return fallback;
        }
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " must be a whole number, not '" + v + "'");
        }
    }

    private static String defaultVersion() {
        String v = PluginConfig.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }
}
