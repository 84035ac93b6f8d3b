package dev.berth.docker;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** {@link DockerApi} over {@link UnixTransport}: builds the paths, negotiates the version once, parses the answers. */
final class SocketDockerApi implements DockerApi {
    private final UnixTransport transport;
    private final Set<EventReader> streams = ConcurrentHashMap.newKeySet();
    private final Object negotiation = new Object();
    private volatile ApiVersion negotiated;

    SocketDockerApi(UnixTransport transport) {
        this.transport = transport;
    }

    @Override
    public Path socket() {
        return transport.socket();
    }

    @Override
    public String apiVersion() {
        return prefix().substring(2);
    }

    @Override
    public Version version() {
        Version v = Codec.read("GET /version", transport.get("/version"), Version.class);
        synchronized (negotiation) {
            if (negotiated == null) {
                negotiated = ApiVersion.negotiate(v);
            }
        }
        return v;
    }

    @Override
    public List<Network> networks() {
        return list("/networks", Network.class);
    }

    @Override
    public Network network(String idOrName) {
        return one("/networks/" + segment(idOrName), Network.class);
    }

    @Override
    public List<ContainerSummary> containers(boolean all) {
        return list("/containers/json?all=" + all, ContainerSummary.class);
    }

    @Override
    public Container container(String idOrName) {
        return one("/containers/" + segment(idOrName) + "/json", Container.class);
    }

    @Override
    public EventStream events(Map<String, List<String>> filters, Instant since, EventStream.Listener listener) {
        Objects.requireNonNull(filters, "filters (empty for none)");
        Objects.requireNonNull(listener, "listener");
        StringBuilder path = new StringBuilder(prefix()).append("/events");
        String sep = "?";
        if (!filters.isEmpty()) {
            path.append(sep).append("filters=").append(query(Codec.filters(filters)));
            sep = "&";
        }
        if (since != null) {
            path.append(sep).append("since=").append(timestamp(since));
        }
        UnixTransport.Streaming stream = transport.stream(path.toString());
        EventReader reader = EventReader.start(stream, listener, streams::remove);
        streams.add(reader);
        if (!reader.isOpen()) {
            streams.remove(reader);
        }
        return reader;
    }

    @Override
    public void close() {
        for (EventReader s : List.copyOf(streams)) {
            s.close();
        }
        transport.close();
    }

    /** Docker's {@code since}: seconds and nanoseconds, {@code 1700000000.000000001}. */
    static String timestamp(Instant t) {
        return t.getEpochSecond() + "." + String.format("%09d", t.getNano());
    }

    private <T> List<T> list(String path, Class<T> type) {
        String versioned = prefix() + path;
        return Codec.readList("GET " + versioned, transport.get(versioned), type);
    }

    private <T> T one(String path, Class<T> type) {
        String versioned = prefix() + path;
        return Codec.read("GET " + versioned, transport.get(versioned), type);
    }

    /** {@code /v1.41}, asking the daemon's version first if no call has yet; a failed negotiation is tried again. */
    private String prefix() {
        ApiVersion v = negotiated;
        if (v == null) {
            version();
            v = negotiated;
        }
        return v.prefix();
    }

    private static String segment(String idOrName) {
        if (idOrName == null || idOrName.isBlank()) {
            throw new IllegalArgumentException("an ID or name is required");
        }
        return query(idOrName);
    }

    private static String query(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
