package dev.berth.host.internal;

import dev.berth.host.PluginConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.unixdomain.server.UnixDomainServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Jetty 12 on a unix-domain socket, sized for an idle plugin: few threads, one acceptor, one selector. */
public final class PluginServer {
    private static final Logger LOG = LoggerFactory.getLogger(PluginServer.class);

    private final Server server;
    private final Path socket;

    private PluginServer(Server server, Path socket) {
        this.server = server;
        this.socket = socket;
    }

    public static PluginServer start(PluginConfig config, PluginHandler handler, JsonCodec json) {
        SocketGuard.claim(config.socket());
        QueuedThreadPool pool = new QueuedThreadPool(config.maxThreads(), 2, 60_000);
        pool.setName("berth-call");
        pool.setReservedThreads(0);
        Server server = new Server(pool);
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        http.setSendDateHeader(false);
        http.setRequestHeaderSize(8192);
        UnixDomainServerConnector connector = new UnixDomainServerConnector(server, 1, 1,
                new DockerHttpConnectionFactory(http));
        connector.setUnixDomainPath(config.socket());
        connector.setAcceptQueueSize(256);
        connector.setIdleTimeout(120_000);
        server.addConnector(connector);
        server.setHandler(new GracefulHandler(handler));
        server.setErrorHandler(new JsonErrorHandler(json));
        server.setStopTimeout(config.stopTimeout().toMillis());
        server.setStopAtShutdown(false);
        try {
            server.start();
        } catch (Exception e) {
            throw new IllegalStateException("cannot serve on " + config.socket() + ": " + e.getMessage(), e);
        }
        restrictToOwner(config.socket());
        return new PluginServer(server, config.socket());
    }

    public void join() {
        try {
            server.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public void stop() {
        try {
            server.stop();
        } catch (Exception e) {
            LOG.warn("stopping the server: {}", e.toString());
        } finally {
            try {
                Files.deleteIfExists(socket);
            } catch (IOException e) {
                LOG.warn("cannot remove {}: {}", socket, e.toString());
            }
        }
    }

    /** Only root (the owner) may talk to the plugin: 0600 on the socket. */
    private static void restrictToOwner(Path socket) {
        try {
            Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-------"));
        } catch (IOException e) {
            throw new IllegalStateException("cannot restrict permissions of " + socket + ": " + e.getMessage(), e);
        }
    }
}
