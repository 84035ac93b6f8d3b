package dev.berth.dns;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.docker.Container;
import dev.berth.docker.ContainerSummary;
import dev.berth.docker.DockerApi;
import dev.berth.docker.DockerException;
import dev.berth.docker.DockerNotFoundException;
import dev.berth.docker.EndpointSettings;
import dev.berth.docker.Event;
import dev.berth.docker.EventStream;
import dev.berth.docker.Network;
import dev.berth.kv.KeyValue;
import dev.berth.kv.KvException;
import dev.berth.kv.KvStore;
import dev.berth.kv.Lease;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This host's half of discovery: follows its Docker's events (container start, die, destroy, rename; network connect
 * and disconnect) and keeps one record per running container on a Berth network in the store, under this host's
 * lease. One worker thread does all of it, so records are written in event order; a full resync runs at start, after
 * the event stream reconnects, when the lease had to be renewed, and every {@code resyncEvery} as a safety net.
 */
public final class Publisher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Publisher.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    static final String PREFIX = "dns/records/";

    /** Which networks' names are published. */
    public enum Scope {
        /** Networks of a Berth network driver, and networks whose berth/ipam pool is global (shared by all hosts). */
        BERTH,
        /** Every user-defined network (not the default bridge, host or none). */
        ALL
    }

    private final DockerApi docker;
    private final KvStore store;
    private final String hostId;
    private final Scope scope;
    private final Duration leaseTtl;
    private final String serviceLabel;
    private final String portsLabel;
    private final ScheduledExecutorService worker;
    private final Map<String, Boolean> networkIsBerth = new ConcurrentHashMap<>();
    private volatile EventStream events;
    private volatile Instant lastEvent;
    private volatile boolean closed;
    private Lease lease;

    public Publisher(DockerApi docker, KvStore store, String hostId, Scope scope, Duration leaseTtl,
                     String serviceLabel, String portsLabel) {
        this.docker = docker;
        this.store = store;
        this.hostId = hostId;
        this.scope = scope;
        this.leaseTtl = leaseTtl;
        this.serviceLabel = serviceLabel;
        this.portsLabel = portsLabel;
        this.worker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "berth-dns-publisher");
            t.setDaemon(true);
            return t;
        });
    }

    /** Starts following Docker; the first resync runs at once on the worker. */
    public void start(Duration resyncEvery) {
        worker.execute(this::connect);
        worker.scheduleWithFixedDelay(this::resync, resyncEvery.toMillis(), resyncEvery.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    private void connect() {
        if (closed) {
            return;
        }
        try {
            Map<String, List<String>> filters = Map.of("type", List.of("container", "network"));
            Instant since = lastEvent == null ? null : lastEvent.plusNanos(1);
            events = since == null
                    ? docker.events(filters, EventStream.Listener.of(e -> worker.execute(() -> onEvent(e)),
                            this::onClosed))
                    : docker.events(filters, since, EventStream.Listener.of(e -> worker.execute(() -> onEvent(e)),
                            this::onClosed));
            resync();
        } catch (DockerException e) {
            LOG.warn("cannot follow Docker's events ({}); trying again in 2 s", e.getMessage());
            worker.schedule(this::connect, 2, TimeUnit.SECONDS);
        }
    }

    private void onClosed(Throwable cause) {
        if (!closed) {
            LOG.warn("Docker's event stream ended ({}); reconnecting", cause == null ? "closed" : cause.toString());
            worker.schedule(this::connect, 500, TimeUnit.MILLISECONDS);
        }
    }

    void onEvent(Event e) {
        lastEvent = e.instant();
        String container = e.type().equals("network") ? e.actor().attributes().get("container") : e.actor().id();
        if (container == null || container.isEmpty()) {
            return;
        }
        switch (e.action()) {
            case "start", "rename", "connect", "disconnect", "unpause" -> publish(container);
            case "die", "stop", "kill", "destroy", "pause" -> {
                if (e.action().equals("kill")) {
                    return; // a kill is followed by die; the container may survive a signal
                }
                unpublish(container);
            }
            default -> {
            }
        }
    }

    /** Publishes every running container and removes this host's records of containers that no longer run. */
    void resync() {
        if (closed) {
            return;
        }
        try {
            ensureLease();
            Set<String> running = new HashSet<>();
            for (ContainerSummary c : docker.containers(false)) {
                running.add(c.id());
                publish(c.id());
            }
            for (KeyValue kv : store.list(PREFIX + hostId + "/").entries()) {
                String id = kv.key().substring(kv.key().lastIndexOf('/') + 1);
                if (!running.contains(id)) {
                    store.delete(kv.key());
                }
            }
        } catch (DockerException | KvException e) {
            LOG.warn("resync failed: {}", e.getMessage());
        }
    }

    private void publish(String containerId) {
        try {
            ensureLease();
            Container c = docker.container(containerId);
            Optional<ContainerRecord> record = c.state().running() ? toRecord(c) : Optional.empty();
            String key = PREFIX + hostId + "/" + c.id();
            if (record.isEmpty()) {
                store.delete(key);
                return;
            }
            byte[] value = JSON.writeValueAsBytes(record.get());
            Optional<KeyValue> current = store.get(key);
            if (current.isEmpty() || !java.util.Arrays.equals(current.get().value(), value)
                    || current.get().leaseId() != lease.id()) {
                store.put(key, value, lease);
            }
        } catch (DockerNotFoundException gone) {
            unpublish(containerId);
        } catch (DockerException | KvException e) {
            LOG.warn("publishing {} failed: {}", containerId, e.getMessage());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void unpublish(String containerId) {
        try {
            // events may carry the short or the full ID: delete by prefix match over this host's records
            for (KeyValue kv : store.list(PREFIX + hostId + "/").entries()) {
                String id = kv.key().substring(kv.key().lastIndexOf('/') + 1);
                if (id.startsWith(containerId) || containerId.startsWith(id)) {
                    store.delete(kv.key());
                }
            }
        } catch (KvException e) {
            LOG.warn("unpublishing {} failed: {}", containerId, e.getMessage());
        }
    }

    Optional<ContainerRecord> toRecord(Container c) {
        List<ContainerRecord.Attachment> nets = new ArrayList<>();
        for (Map.Entry<String, EndpointSettings> n : c.networkSettings().networks().entrySet()) {
            EndpointSettings ep = n.getValue();
            if (!published(n.getKey(), ep.networkId())) {
                continue;
            }
            List<String> aliases = new ArrayList<>();
            for (String a : ep.aliases()) {
                // Docker adds the short container ID as an alias; it is not a name anyone asks for across hosts
                if (!c.id().startsWith(a) && !a.equals(c.shortName())) {
                    aliases.add(a);
                }
            }
            nets.add(new ContainerRecord.Attachment(n.getKey(), blankToNull(ep.ipAddress()),
                    blankToNull(ep.globalIpv6Address()), aliases));
        }
        if (nets.isEmpty()) {
            return Optional.empty();
        }
        Map<String, String> labels = c.config().labels();
        String service = blankToNull(labels.get(serviceLabel));
        return Optional.of(new ContainerRecord(hostId, c.id(), c.shortName(), service,
                ports(labels.get(portsLabel)), nets, gatewayBridgeAddress(c.id())));
    }

    /**
     * The container's address on docker_gwbridge, if it has one: an overlay network gives no gateway, so Docker adds
     * that bridge for outside access, and the container's queries reach this host's server from that address. The
     * container's own inspect does not show it; the bridge's does.
     */
    private List<String> gatewayBridgeAddress(String containerId) {
        try {
            Network gw = docker.network("docker_gwbridge");
            Network.Endpoint ep = gw.containers().get(containerId);
            if (ep != null && !ep.ipv4Address().isEmpty()) {
                String a = ep.ipv4Address();
                return List.of(a.indexOf('/') < 0 ? a : a.substring(0, a.indexOf('/')));
            }
        } catch (DockerException e) {
            // no docker_gwbridge on this host (no overlay container yet): nothing to add
        }
        return List.of();
    }

    private boolean published(String name, String networkId) {
        if (Set.of("bridge", "host", "none").contains(name)) {
            return false;
        }
        if (scope == Scope.ALL) {
            return true;
        }
        return networkIsBerth.computeIfAbsent(networkId.isEmpty() ? name : networkId, id -> {
            try {
                Network n = docker.network(id);
                boolean berthDriver = n.driver().startsWith("berth/");
                boolean sharedPool = n.ipam().driver().startsWith("berth/ipam")
                        && "global".equals(n.ipam().options().get("berth.scope"));
                return berthDriver || sharedPool;
            } catch (DockerException e) {
                return false;
            }
        });
    }

    static List<ContainerRecord.ServicePort> ports(String label) {
        List<ContainerRecord.ServicePort> out = new ArrayList<>();
        if (label == null || label.isBlank()) {
            return out;
        }
        for (String item : label.split(",")) {
            String[] p = item.trim().split("/");
            try {
                int port = Integer.parseInt(p[0].trim());
                String proto = p.length > 1 ? p[1].trim().toLowerCase() : "tcp";
                if (port > 0 && port < 65536 && (proto.equals("tcp") || proto.equals("udp"))) {
                    out.add(new ContainerRecord.ServicePort(port, proto));
                }
            } catch (NumberFormatException ignored) {
                LOG.info("ignoring port '{}' in the ports label", item);
            }
        }
        return out;
    }

    private synchronized void ensureLease() {
        if (lease == null || !lease.isAlive()) {
            boolean renewed = lease != null;
            lease = store.grantLease(leaseTtl);
            LOG.info("publishing under lease {} (ttl {} s)", lease.id(), leaseTtl.toSeconds());
            if (renewed) {
                // the records went with the old lease: put them all back
                worker.execute(this::resync);
            }
        }
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }

    @Override
    public void close() {
        closed = true;
        EventStream e = events;
        if (e != null) {
            e.close();
        }
        worker.shutdownNow();
        if (lease != null) {
            try {
                lease.close();
            } catch (KvException ignored) {
                // the records go with the TTL
            }
        }
    }
}
