package dev.berth.host;

import dev.berth.host.internal.JsonCodec;
import dev.berth.host.internal.Metrics;
import dev.berth.host.internal.PluginHandler;
import dev.berth.host.internal.PluginServer;
import dev.berth.host.internal.RouteTable;
import dev.berth.host.spi.PluginDriver;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * One plugin process's server: Docker's plugin protocol on a unix socket, routed to the drivers it was given.
 *
 * <pre>{@code
 * try (PluginHost host = PluginHost.builder(PluginConfig.fromEnv(System.getenv())).driver(myVolumeDriver).start()) {
 *     host.awaitStop();
 * }
 * }</pre>
 */
public final class PluginHost implements AutoCloseable {
    private final PluginConfig config;
    private final PluginServer server;
    private final Metrics metrics;

    private PluginHost(PluginConfig config, PluginServer server, Metrics metrics) {
        this.config = config;
        this.server = server;
        this.metrics = metrics;
    }

    public static Builder builder(PluginConfig config) {
        return new Builder(config);
    }

    public Path socket() {
        return config.socket();
    }

    public PluginConfig config() {
        return config;
    }

    /** Call counters, for tests and embedding. */
    public long calls(String method) {
        return metrics.calls(method);
    }

    /** Blocks until the server has stopped (after {@link #close()}, typically from a shutdown hook). */
    public void awaitStop() {
        server.join();
    }

    /** Graceful stop: refuses new connections, lets in-flight calls finish (up to the stop timeout), removes the socket. */
    @Override
    public void close() {
        server.stop();
    }

    public static final class Builder {
        private final PluginConfig config;
        private final List<PluginDriver> drivers = new ArrayList<>();
        private final List<HealthCheck> checks = new ArrayList<>();

        private Builder(PluginConfig config) {
            this.config = config;
        }

        public Builder driver(PluginDriver driver) {
            drivers.add(driver);
            return this;
        }

        public Builder healthCheck(HealthCheck check) {
            checks.add(check);
            return this;
        }

        /**
         * Claims the socket (a stale one is replaced, a live one never taken) and starts answering.
         *
         * @throws dev.berth.host.internal.SocketGuard.SocketUnavailableException if the socket is served by someone else
         */
        public PluginHost start() {
            if (drivers.isEmpty()) {
                throw new IllegalStateException("a plugin host needs at least one driver");
            }
            RouteTable routes = RouteTable.of(drivers);
            JsonCodec json = new JsonCodec();
            Metrics metrics = new Metrics(routes.methods());
            PluginHandler handler = new PluginHandler(routes, json, metrics, config.maxBodyBytes(),
                    new PluginHandler.StatusSource(config.name(), config.version(), Instant.now(), List.copyOf(checks)));
            PluginServer server = PluginServer.start(config, handler, json);
            return new PluginHost(config, server, metrics);
        }
    }
}
