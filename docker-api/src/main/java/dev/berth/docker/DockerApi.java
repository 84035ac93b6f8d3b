package dev.berth.docker;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The Docker Engine API over the daemon's unix socket. The read side is what a plugin's background threads need to
 * reconcile with what Docker really has (networks and their endpoints, containers and their mounts) and to follow
 * what happens ({@code /events}). The write side (create, start, stop, remove and rename containers; save and load
 * images) is for tools such as container migration, not for plugins. Never used inside a plugin handler: the daemon
 * may be waiting on that handler.
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
 * <p>Moving a container to another daemon (see {@link ContainerSpec}):
 * <pre>{@code
 * ContainerSpec spec = source.containerSpec("web");
 * if (!target.imageExists(spec.imageId())) {
 *     Path tar = Files.createTempFile("image", ".tar");    // or pipe saveImage into loadImage on two threads
 *     try (OutputStream out = Files.newOutputStream(tar)) {
 *         source.saveImage(spec.image(), out);
 *     }
 *     target.loadImage(Files.newInputStream(tar));
 * }
 * source.stopContainer("web", Duration.ofSeconds(10));
 * target.startContainer(target.createContainer("web", spec));
 * }</pre>
 *
 * <p>The write calls are default methods that throw {@link UnsupportedOperationException}, so that read-only fakes
 * elsewhere need not implement them; the client {@link #connect} returns implements every one.
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
     * {@code GET /containers/{idOrName}/json} as Docker sent it, every field, for {@link ContainerSpec#from}.
     *
     * @throws DockerNotFoundException when there is no such container
     */
    default JsonNode containerJson(String idOrName) {
        throw readOnly();
    }

    /** The spec to create {@code idOrName} again: {@code ContainerSpec.from(containerJson(idOrName))}. */
    default ContainerSpec containerSpec(String idOrName) {
        return ContainerSpec.from(containerJson(idOrName));
    }

    /**
     * {@code POST /containers/create?name=}: a new container from {@code spec}, not started. API 1.41 creates it on
     * its primary network; every other network of the spec is then connected ({@code POST /networks/{n}/connect}).
     * When a connect fails the new container is removed again, and the exception says whether that worked.
     *
     * @param name the new container's name, or null or empty for a generated one
     * @return the new container's ID
     * @throws DockerApiException 409 when the name is taken, 404 when the image or a network is missing
     */
    default String createContainer(String name, ContainerSpec spec) {
        throw readOnly();
    }

    /** {@code POST /containers/{idOrName}/start}; a container already running is fine (304). */
    default void startContainer(String idOrName) {
        throw readOnly();
    }

    /**
     * {@code POST /containers/{idOrName}/stop?t=}: its stop signal, then SIGKILL after {@code grace} (whole seconds,
     * rounded up); a container already stopped is fine (304). Waits up to {@code grace} plus the timeout.
     */
    default void stopContainer(String idOrName, Duration grace) {
        throw readOnly();
    }

    /**
     * {@code DELETE /containers/{idOrName}?force=&v=}.
     *
     * @param force   kill it first if it runs (otherwise a running container is a 409)
     * @param volumes remove its anonymous volumes too (never named ones)
     */
    default void removeContainer(String idOrName, boolean force, boolean volumes) {
        throw readOnly();
    }

    /**
     * {@code POST /containers/{idOrName}/update} with {@code {"RestartPolicy": {"Name": name, "MaximumRetryCount":
     * maxRetries}}}: for example {@code "no"} while a container is moved away, so that a daemon restart cannot start
     * it again behind the mover's back.
     */
    default void updateRestartPolicy(String idOrName, String name, int maxRetries) {
        throw readOnly();
    }

    /**
     * {@code POST /volumes/create} with {@code {"Name", "Driver"}}: makes Docker know a volume its driver already
     * holds (the driver's Create of an existing volume changes nothing), so that containers using it by name get
     * that driver, not a new local volume.
     */
    default void createVolume(String name, String driver) {
        throw readOnly();
    }

    /**
     * {@code DELETE /volumes/{name}[?force=true]}: the volume and, through its driver, its data. With {@code force}
     * Docker forgets the volume even when its driver cannot remove it (its data was moved away first). A missing
     * volume is not an error.
     */
    default void removeVolume(String name, boolean force) {
        throw readOnly();
    }

    /** {@code POST /containers/{idOrName}/rename?name=}. */
    default void renameContainer(String idOrName, String newName) {
        throw readOnly();
    }

    /**
     * {@code POST /containers/{idOrName}/wait?condition=not-running}: waits, at most {@code timeout}, until it is not
     * running, and returns its exit code.
     */
    default int waitContainer(String idOrName, Duration timeout) {
        throw readOnly();
    }

    /**
     * {@code GET /images/{ref}/json}: the ID ({@code sha256:...}) of the image {@code ref} names (a name with its tag,
     * or an ID), empty when the daemon has no such image.
     */
    default Optional<String> imageId(String ref) {
        throw readOnly();
    }

    /** Whether the daemon has the image {@code ref} names. */
    default boolean imageExists(String ref) {
        return imageId(ref).isPresent();
    }

    /**
     * {@code GET /images/get?names=}: the image as a {@code docker save} tarball written to {@code out} as it comes
     * (never held whole; {@code out} is neither flushed nor closed).
     *
     * @throws DockerNotFoundException   when there is no such image
     * @throws java.io.UncheckedIOException when writing to {@code out} fails
     */
    default void saveImage(String ref, OutputStream out) {
        throw readOnly();
    }

    /**
     * {@code POST /images/load}: a {@code docker save} tarball read from {@code tar} to its end (and closed) as it is
     * sent. An error the daemon reports in its answer stream throws.
     *
     * @return what the daemon loaded: {@code name:tag} references, and {@code sha256:...} IDs for untagged images
     * @throws java.io.UncheckedIOException when reading {@code tar} fails
     */
    default List<String> loadImage(InputStream tar) {
        throw readOnly();
    }

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

    private UnsupportedOperationException readOnly() {
        return new UnsupportedOperationException(getClass().getSimpleName() + " is read-only");
    }

    private static Duration checked(Duration timeout) {
        if (timeout == null || timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("a timeout must be positive, not " + timeout);
        }
        return timeout;
    }
}
