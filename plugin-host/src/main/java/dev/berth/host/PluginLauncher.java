package dev.berth.host;

import dev.berth.host.internal.SocketGuard;
import dev.berth.host.spi.PluginDriver;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code main} of every plugin process: read the config, build the drivers, serve until SIGTERM, exit with a
 * meaningful code (0 stopped, 2 bad configuration or socket in use, 1 anything else). A driver that is also a
 * {@link HealthCheck} is reported by {@code GET /status}; one that is {@link AutoCloseable} is closed on stop, after the
 * last in-flight call.
 */
public final class PluginLauncher {
    private static final Logger LOG = LoggerFactory.getLogger(PluginLauncher.class);

    private PluginLauncher() {
    }

    /** Builds the drivers from the configuration; exceptions thrown here are reported as configuration errors. */
    public interface DriverFactory extends Function<PluginConfig, List<PluginDriver>> {
    }

    public static void serve(DriverFactory drivers) {
        int code = run(drivers);
        if (code != 0) {
            System.exit(code);
        }
        // a normal stop comes from SIGTERM: the shutdown hook is finishing; returning lets the JVM exit with it
    }

    static int run(DriverFactory factory) {
        PluginConfig config;
        List<PluginDriver> drivers;
        try {
            config = PluginConfig.fromEnv(System.getenv());
            drivers = factory.apply(config);
        } catch (IllegalArgumentException e) {
            LOG.error("configuration error: {}", e.getMessage());
            return 2;
        }
        PluginHost host;
        try {
            PluginHost.Builder builder = PluginHost.builder(config);
            drivers.forEach(builder::driver);
            drivers.stream().filter(HealthCheck.class::isInstance).map(HealthCheck.class::cast)
                    .forEach(builder::healthCheck);
            host = builder.start();
        } catch (SocketGuard.SocketUnavailableException e) {
            LOG.error("cannot start: {}", e.getMessage());
            return 2;
        } catch (RuntimeException e) {
            LOG.error("cannot start: {}", e.getMessage(), e);
            return 1;
        }
        Thread hook = new Thread(() -> {
            LOG.info("{} stopping (in-flight calls get up to {} s)", config.name(), config.stopTimeout().toSeconds());
            host.close();
            closeDrivers(drivers);
        }, "berth-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        Instant processStart = ProcessHandle.current().info().startInstant().orElse(Instant.now());
        LOG.info("{} {} serving {} on {} ({} ms after process start)", config.name(), config.version(),
                drivers.stream().map(PluginDriver::interfaceName).toList(), config.socket(),
                Duration.between(processStart, Instant.now()).toMillis());
        host.awaitStop();
        return 0;
    }

    /** Drivers that hold resources (store connections, background threads) close after the last call finished. */
    private static void closeDrivers(List<PluginDriver> drivers) {
        for (PluginDriver d : drivers) {
            if (d instanceof AutoCloseable c) {
                try {
                    c.close();
                } catch (Exception e) {
                    LOG.warn("closing {} failed: {}", d.interfaceName(), e.toString());
                }
            }
        }
    }
}
