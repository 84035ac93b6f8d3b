package dev.berth.docker;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The Docker Engine API, read side, over the daemon's unix socket: what a plugin's background threads need to
 * reconcile with what Docker really has (networks and their endpoints, containers and their mounts) and to follow
 * what happens ({@code /events}). Never used inside a plugin handler: the daemon may be waiting on that handler.
 *
 * <p>The API version is negotiated on the first call ({@code GET /version}), not by {@link #connect}, so a plugin may
 * connect while the daemon that starts it is not serving yet: it speaks the older of ours (1.41, Docker 20.10) and the
 * daemon's, as {@code /v1.41/...}. Every call waits at most the timeout (10 s unless given) and throws a
 * {@link DockerException}: {@link DockerNotFoundException} (404), {@link DockerApiException} (any other error status,
 * with Docker's message) or {@link DockerUnavailableException} (socket missing or refusing, no answer in time).
 *
 * <pre>{@code
 * try (DockerApi docker = DockerApi.connect("unix:///run/docker.sock")) {
 *     for (Network n : docker.networks()) {
 *         Network full = docker.network(n.id());   // with its Containers
 *     }
 *     EventStream s = docker.events(Map.of("type", List.of("container")), EventStream.Listener.of(
 *             e -> System.out.println(e.action() + " " + e.actor().id()), cause -> System.out.println("ended")));
 * }
 * }</pre>
 *
 * <p>Thread-safe: one instance serves any number of threads and event streams.
 */
public interface DockerApi extends AutoCloseable {
    /** How long a call waits for its answer unless {@link #connect(Path, Duration)} says otherwise. */
    Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

    /** A client for the daemon listening on {@code socket} (for example {@code /run/docker.sock}). */
    static DockerApi connect(Path socket) {
        return connect(socket, DEFAULT_TIMEOUT);
    }

    /** The same, with every call waiting at most {@code timeout} (to connect, and for the whole answer). */
    static DockerApi connect(Path socket, Duration timeout) {
        return new SocketDockerApi(new UnixTransport(socket, checked(timeout)));
    }

    /** A client for {@code DOCKER_HOST}-style {@code unix:///run/docker.sock}, or a bare socket path. */
    static DockerApi connect(String dockerHost) {
        return connect(socketOf(dockerHost), DEFAULT_TIMEOUT);
    }

    /** The socket path of {@code unix:///path} or of a bare absolute path; other schemes (tcp://) are refused. */
    static Path socketOf(String dockerHost) {
        if (dockerHost == null || dockerHost.isBlank()) {
            throw new IllegalArgumentException("no Docker host given");
        }
        if (dockerHost.startsWith("/")) {
            return Path.of(dockerHost);
        }
        URI uri = URI.create(dockerHost);
        if (!"unix".equals(uri.getScheme()) || uri.getPath() == null || !uri.getPath().startsWith("/")) {
            throw new IllegalArgumentException("'" + dockerHost + "' is not a unix socket (unix:///path)");
        }
        return Path.of(uri.getPath());
    }

    /** The daemon's socket. */
    Path socket();

    /** The API version spoken, for example {@code 1.41}; negotiates it first if no call has yet. */
    String apiVersion();

    /** {@code GET /version}: release, API version, OS and architecture of the daemon. */
    Version version();

    /** {@code GET /networks}: every network, without their {@code Containers} (see {@link #network(String)}). */
    List<Network> networks();

    /**
     * {@code GET /networks/{idOrName}}: one network with the endpoints of its containers.
     *
     * @throws DockerNotFoundException when there is no such network
     */
    Network network(String idOrName);

    /** {@code GET /containers/json?all=...}: running containers, or all of them. */
    List<ContainerSummary> containers(boolean all);

    /**
     * {@code GET /containers/{idOrName}/json}: one container in detail.
     *
     * @throws DockerNotFoundException when there is no such container
     */
    Container container(String idOrName);

    /**
     * {@code GET /events}: opens the stream (its 200 within the timeout) and reads it on a thread of its own, telling
     * {@code listener} each event and, exactly once, that the stream ended. Reconnecting is the caller's business.
     *
     * @param filters Docker's event filters, for example {@code {"type": ["container"], "event": ["die", "destroy"]}};
     *                empty for every event
     * @param since   replay events from this instant on, inclusive (to the nanosecond), or null for only what happens
     *                from now
     * @throws DockerException when the stream could not be opened (the listener is not called then)
     */
    EventStream events(Map<String, List<String>> filters, Instant since, EventStream.Listener listener);

    /** Events from now on. */
    default EventStream events(Map<String, List<String>> filters, EventStream.Listener listener) {
        return events(filters, null, listener);
    }

    /** Closes every open event stream (each listener gets {@code onClosed(null)}) and the connections. Idempotent. */
    @Override
    void close();

    private static Duration checked(Duration timeout) {
        if (timeout == null || timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("a timeout must be positive, not " + timeout);
        }
        return timeout;
    }
}
