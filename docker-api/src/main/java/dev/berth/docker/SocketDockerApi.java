package dev.berth.docker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
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
    public JsonNode containerJson(String idOrName) {
        String path = prefix() + "/containers/" + segment(idOrName) + "/json";
        return Codec.tree("GET " + path, transport.get(path));
    }

    @Override
    public String createContainer(String name, ContainerSpec spec) {
        Objects.requireNonNull(spec, "spec");
        String path = prefix() + "/containers/create" + (name == null || name.isEmpty() ? "" : "?name=" + query(name));
        JsonNode created = Codec.tree("POST " + path, post(path, Codec.write(spec.createBody()), timeout()));
        String id = created.path("Id").asText("");
        if (id.isEmpty()) {
            throw Codec.unreadable("POST " + path, "no Id", null);
        }
        for (Map.Entry<String, ObjectNode> ep : spec.endpoints().entrySet()) {
            if (ep.getKey().equals(spec.primaryNetwork())) {
                continue;
            }
            String connect = prefix() + "/networks/" + segment(ep.getKey()) + "/connect";
            ObjectNode body = JsonNodeFactory.instance.objectNode().put("Container", id);
            body.set("EndpointConfig", ep.getValue());
            try {
                post(connect, Codec.write(body), timeout());
            } catch (DockerException e) {
                throw rolledBack("POST " + connect, e, id);
            }
        }
        return id;
    }

    @Override
    public void startContainer(String idOrName) {
        post(prefix() + "/containers/" + segment(idOrName) + "/start", null, timeout(), 304);
    }

    @Override
    public void stopContainer(String idOrName, Duration grace) {
        if (grace == null || grace.isNegative()) {
            throw new IllegalArgumentException("a grace period must be zero or more, not " + grace);
        }
        long seconds = grace.toSeconds() + (grace.toNanosPart() > 0 ? 1 : 0);
        post(prefix() + "/containers/" + segment(idOrName) + "/stop?t=" + seconds, null,
                Duration.ofSeconds(seconds).plus(timeout()), 304);
    }

    @Override
    public void removeContainer(String idOrName, boolean force, boolean volumes) {
        String path = prefix() + "/containers/" + segment(idOrName) + "?force=" + force + "&v=" + volumes;
        transport.send("DELETE", path, null, timeout());
    }

    @Override
    public void updateRestartPolicy(String idOrName, String name, int maxRetries) {
        if (name == null || !name.matches("no|always|unless-stopped|on-failure")) {
            throw new IllegalArgumentException("a restart policy is no, always, unless-stopped or on-failure, not "
                    + name);
        }
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        body.putObject("RestartPolicy").put("Name", name).put("MaximumRetryCount", maxRetries);
        post(prefix() + "/containers/" + segment(idOrName) + "/update", Codec.write(body), timeout());
    }

    @Override
    public void createVolume(String name, String driver) {
        ObjectNode body = JsonNodeFactory.instance.objectNode().put("Name", name).put("Driver", driver);
        post(prefix() + "/volumes/create", Codec.write(body), timeout());
    }

    @Override
    public void removeVolume(String name, boolean force) {
        try {
            transport.send("DELETE", prefix() + "/volumes/" + segment(name) + (force ? "?force=true" : ""), null,
                    timeout());
        } catch (DockerNotFoundException e) {
            // gone already
        }
    }

    @Override
    public void renameContainer(String idOrName, String newName) {
        if (newName == null || newName.isBlank()) {
            throw new IllegalArgumentException("a new name is required");
        }
        post(prefix() + "/containers/" + segment(idOrName) + "/rename?name=" + query(newName), null, timeout());
    }

    @Override
    public int waitContainer(String idOrName, Duration timeout) {
        if (timeout == null || timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("a timeout must be positive, not " + timeout);
        }
        String path = prefix() + "/containers/" + segment(idOrName) + "/wait?condition=not-running";
        JsonNode answer = Codec.tree("POST " + path, post(path, null, timeout));
        String error = answer.path("Error").path("Message").asText("");
        if (!error.isEmpty()) {
            throw new DockerApiException("POST " + path, 200, error);
        }
        return answer.path("StatusCode").asInt();
    }

    @Override
    public Optional<String> imageId(String ref) {
        String path = prefix() + "/images/" + imageSegment(ref) + "/json";
        try {
            return Optional.of(Codec.tree("GET " + path, transport.get(path)).path("Id").asText(""))
                    .filter(id -> !id.isEmpty());
        } catch (DockerNotFoundException e) {
            return Optional.empty();
        }
    }

    @Override
    public void saveImage(String ref, OutputStream out) {
        Objects.requireNonNull(out, "out");
        transport.download(prefix() + "/images/get?names=" + query(imageRef(ref)), out);
    }

    @Override
    public List<String> loadImage(InputStream tar) {
        Objects.requireNonNull(tar, "tar");
        String path = prefix() + "/images/load?quiet=1";
        List<String> loaded = new ArrayList<>();
        for (String line : Codec.messages("POST " + path, transport.upload(path, "application/x-tar", tar))) {
            for (String prefix : List.of("Loaded image: ", "Loaded image ID: ")) {
                if (line.startsWith(prefix)) {
                    loaded.add(line.substring(prefix.length()).strip());
                }
            }
        }
        return List.copyOf(loaded);
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

    private Duration timeout() {
        return transport.timeout();
    }

    private byte[] post(String path, byte[] json, Duration wait, int... alsoOk) {
        return transport.send("POST", path, json, wait, alsoOk);
    }

    /**
     * {@code failure} of a step after the container {@code id} was created, with whether removing it again worked:
     * the same kind of exception, its message saying so.
     */
    private DockerException rolledBack(String call, DockerException failure, String id) {
        String note;
        try {
            removeContainer(id, true, false);
            note = "the new container " + id + " was removed again";
        } catch (DockerException e) {
            note = "the new container " + id + " is left behind, removing it failed: " + e.getMessage();
        }
        if (failure instanceof DockerNotFoundException n) {
            return new DockerNotFoundException(call, n.dockerMessage() + " (" + note + ")", n);
        }
        if (failure instanceof DockerApiException a) {
            return new DockerApiException(call, a.status(), a.dockerMessage() + " (" + note + ")", a);
        }
        return new DockerUnavailableException(failure.getMessage() + " (" + note + ")", failure);
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

    /** An image reference in a path, where Docker takes its slashes and colons as they are: {@code /images/a/b:1/json}. */
    private static String imageSegment(String ref) {
        return query(imageRef(ref)).replace("%2F", "/").replace("%3A", ":");
    }

    private static String imageRef(String ref) {
        if (ref == null || ref.isBlank()) {
            throw new IllegalArgumentException("an image reference is required");
        }
        return ref;
    }

    private static String query(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
