package dev.berth.migrate.agent;

import dev.berth.docker.ContainerSpec;
import dev.berth.docker.DockerApi;
import dev.berth.docker.DockerException;
import dev.berth.docker.DockerNotFoundException;
import dev.berth.docker.Network;
import dev.berth.migrate.MigrationException;
import dev.berth.migrate.MigrationException.Kind;
import dev.berth.migrate.agent.AgentWire.Reply;
import dev.berth.migrate.agent.AgentWire.Request;
import dev.berth.migrate.tls.PeerConnection;
import dev.berth.migrate.transfer.ChunkedInputStream;
import dev.berth.migrate.transfer.SnapshotReceiver;
import dev.berth.migrate.zfs.SnapshotId;
import dev.berth.migrate.zfs.SnapshotStreams;
import dev.berth.zfs.Zfs;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The receiving agent's side of a migration. Volumes arrive in a staging parent ({@code POOL/berth-incoming/NAME},
 * never mounted, invisible to berth/zfs, kept after a failed attempt so that a retry sends only what it lacks);
 * {@code commit} checks that each staged volume holds the final snapshot with the announced GUID, moves it under the
 * volumes' parent with its properties, and creates the container from the source's inspect (same name, image,
 * command, environment, labels, restart policy, volumes, and address on each network) without starting it;
 * {@code start} starts it. A failed commit puts everything back as it was.
 */
public final class TargetService {
    private static final Logger LOG = LoggerFactory.getLogger(TargetService.class);
    private final String hostId;
    private final DockerApi docker;
    private final Zfs zfs;
    private final SnapshotStreams streams;
    private final String parent;
    private final String staging;
    private final Map<String, String> created = new ConcurrentHashMap<>();
    private final java.time.Duration idle;

    /**
     * @param parent  the volumes' parent dataset (berth/zfs's {@code BERTH_ZFS_PARENT}, such as {@code tank/berth})
     * @param staging where volumes arrive ({@code tank/berth-incoming}); created (canmount=off, mountpoint=none)
     */
    public TargetService(String hostId, DockerApi docker, Zfs zfs, SnapshotStreams streams, String parent,
                         String staging) {
        this(hostId, docker, zfs, streams, parent, staging, java.time.Duration.ofMinutes(2));
    }

    /**
     * @param idle how long a round may wait for the sender's next bytes: a sender on the far side of a dead link
     *             never closes the connection, and its half-received volume would block the next attempt
     */
    public TargetService(String hostId, DockerApi docker, Zfs zfs, SnapshotStreams streams, String parent,
                         String staging, java.time.Duration idle) {
        this.idle = idle;
        this.hostId = hostId;
        this.docker = docker;
        this.zfs = zfs;
        this.streams = streams;
        this.parent = parent;
        this.staging = staging;
    }

    /** The staging parent for {@code parent}: {@code POOL/berth-incoming}. */
    public static String stagingFor(String parent) {
        int slash = parent.indexOf('/');
        return (slash < 0 ? parent : parent.substring(0, slash)) + "/berth-incoming";
    }

    /** Serves one connection: reads the request and answers it. */
    public void serve(PeerConnection peer) {
        Request r;
        try {
            r = AgentWire.read(peer.input(), Request.class);
        } catch (IOException e) {
            return; // the peer went away before asking
        }
        Reply reply;
        try {
            reply = switch (r.op() == null ? "" : r.op()) {
                case "hello" -> hello();
                case "prepare" -> prepare(r);
                case "image" -> image(peer);
                case "round" -> {
                    ensureStaging();
                    new SnapshotReceiver(streams, staging, idle).receive(peer, soFar -> { });
                    yield null; // the round answered for itself
                }
                case "commit" -> commit(r);
                case "start" -> start(r);
                case "abort" -> abort(r);
                case "discard" -> discard(r);
                case "status" -> status(r);
                default -> throw new MigrationException(Kind.BAD_REQUEST, "unknown op '" + r.op() + "'");
            };
        } catch (MigrationException e) {
            LOG.warn("{} from {}: {}", r.op(), peer.peerHostId(), e.getMessage());
            reply = "round".equals(r.op()) ? null : Reply.failed(e);
        } catch (DockerException e) {
            reply = Reply.failed(new MigrationException(Kind.INTERNAL, "Docker on " + hostId + ": " + e.getMessage(),
                    e));
        } catch (RuntimeException e) {
            LOG.error("{} from {} failed", r.op(), peer.peerHostId(), e);
            reply = Reply.failed(new MigrationException(Kind.INTERNAL, e.toString(), e));
        }
        if (reply != null) {
            try {
                AgentWire.write(peer.output(), reply);
            } catch (IOException e) {
                LOG.warn("{} from {}: the answer could not be sent: {}", r.op(), peer.peerHostId(), e.getMessage());
            }
        }
    }

    private Reply hello() {
        return new Reply(true, null, null, hostId, networks(), null, null, null, null, null);
    }

    private List<String> networks() {
        return docker.networks().stream().map(Network::name).sorted().toList();
    }

    private Reply prepare(Request r) {
        ContainerSpec spec = ContainerSpec.from(r.inspect());
        List<String> have = networks();
        List<String> missing = spec.networks().keySet().stream().filter(n -> !have.contains(n)).toList();
        if (!missing.isEmpty()) {
            throw new MigrationException(Kind.CONFLICT, "host " + hostId + " has no network " + String.join(", ",
                    missing) + ": create it there with the same command as on the source");
        }
        try {
            docker.container(spec.name());
            throw new MigrationException(Kind.CONFLICT, "host " + hostId + " already has a container named "
                    + spec.name());
        } catch (DockerNotFoundException expected) {
            // free
        }
        Map<String, Map<String, String>> staged = new LinkedHashMap<>();
        for (AgentWire.Volume v : r.volumes()) {
            String name = checkedName(v.name());
            if (zfs.exists(parent + "/" + name)) {
                throw new MigrationException(Kind.CONFLICT, "host " + hostId + " already has a volume " + name + " ("
                        + parent + "/" + name + ")");
            }
            Map<String, String> snaps = new LinkedHashMap<>();
            String ds = staging + "/" + name;
            if (zfs.exists(ds)) {
                for (SnapshotId s : streams.snapshots(ds)) {
                    snaps.put(s.shortName(), Long.toUnsignedString(s.guid()));
                }
                if (snaps.isEmpty()) {
                    // what a cut full receive left: nothing of it is usable, and it would refuse the next full one
                    try {
                        zfs.destroy(ds, true);
                    } catch (RuntimeException e) {
                        throw new MigrationException(Kind.CONFLICT, "host " + hostId + " is still receiving " + ds
                                + " from an earlier attempt (" + e.getMessage() + "): try again in a minute");
                    }
                }
            }
            staged.put(name, snaps);
        }
        boolean needImage = r.imageId() == null || docker.imageId(r.imageId()).isEmpty();
        return new Reply(true, null, null, hostId, have, needImage, staged, null, null, staging);
    }

    private Reply image(PeerConnection peer) {
        ChunkedInputStream tar = new ChunkedInputStream(peer.input());
        try {
            List<String> loaded = docker.loadImage(tar);
            LOG.info("loaded image {}", loaded);
        } finally {
            try {
                tar.transferTo(OutputStream.nullOutputStream());
            } catch (IOException ignored) {
                // the sender sees the answer or a cut connection
            }
        }
        return Reply.success();
    }

    /** Volumes into place, the container created (not started); undone entirely on failure. */
    private synchronized Reply commit(Request r) {
        // the same IP and MAC on each network: peers' ARP caches stay right, no one waits for a stale entry to fail
        ContainerSpec spec = ContainerSpec.from(r.inspect()).withAddresses(true).withMacAddress(true);
        List<String> moved = new ArrayList<>();
        try {
            for (AgentWire.Volume v : r.volumes()) {
                String name = checkedName(v.name());
                String from = staging + "/" + name;
                String snap = from + "@" + v.snapshot();
                if (!zfs.exists(snap)) {
                    throw new MigrationException(Kind.CONFLICT, "host " + hostId + " does not hold " + snap);
                }
                String guid = Long.toUnsignedString(streams.guid(snap));
                if (!guid.equals(v.guid())) {
                    throw new MigrationException(Kind.PROTOCOL, snap + " has GUID " + guid + " on " + hostId
                            + ", the source's has " + v.guid());
                }
                String to = parent + "/" + name;
                Map<String, String> props = v.properties() == null ? Map.of() : v.properties();
                // canmount before the rename: berth/zfs mounts a volume when a container asks, never the rename
                // (nor the mountpoint it inherits from its new parent)
                zfs.set(from, "canmount", props.getOrDefault("canmount", "noauto"));
                rename(from, to);
                moved.add(name);
                zfs.inherit(to, "mountpoint");
                // the earlier rounds' snapshots hold what the source rewrote meanwhile: only the final one is kept
                // (the base for a move back)
                for (SnapshotId old : streams.snapshots(to)) {
                    if (old.shortName().startsWith("berth-migrate-") && !old.shortName().equals(v.snapshot())) {
                        zfs.destroy(old.name(), false);
                    }
                }
                props.forEach((k, val) -> {
                    if (!k.equals("canmount")) {
                        zfs.set(to, k, val);
                    }
                });
            }
            for (ContainerSpec.Volume v : spec.volumes()) {
                if (moved.contains(v.name())) {
                    docker.createVolume(v.name(), v.driver()); // else Docker would make a local volume of the name
                }
            }
            String id = docker.createContainer(spec.name(), spec);
            created.put(r.migration(), id);
            LOG.info("migration {}: created {} ({}) from {} volume(s)", r.migration(), spec.name(), id, moved.size());
            return new Reply(true, null, null, hostId, null, null, null, "created", id, null);
        } catch (RuntimeException e) {
            for (String name : moved) {
                try {
                    rename(parent + "/" + name, staging + "/" + name);
                    docker.removeVolume(name, true); // forgets it; its data is back in staging
                } catch (RuntimeException undo) {
                    LOG.error("migration {}: could not put {} back into staging: {}", r.migration(), name,
                            undo.toString());
                    e.addSuppressed(undo);
                }
            }
            throw e instanceof MigrationException m ? m : new MigrationException(Kind.INTERNAL, "commit on " + hostId
                    + " failed (volumes put back): " + e.getMessage(), e);
        }
    }

    private Reply start(Request r) {
        String id = created.get(r.migration());
        if (id == null) {
            throw new MigrationException(Kind.NOT_FOUND, "migration " + r.migration() + " created no container on "
                    + hostId);
        }
        docker.startContainer(id);
        LOG.info("migration {}: started {}", r.migration(), id);
        return new Reply(true, null, null, hostId, null, null, null, "running", id, null);
    }

    /** Undoes a commit that was not started: the container removed, the volumes back into staging. */
    private synchronized Reply abort(Request r) {
        String id = createdBy(r);
        created.remove(r.migration());
        if (id != null) {
            docker.removeContainer(id, true, false);
            for (AgentWire.Volume v : r.volumes()) {
                String name = checkedName(v.name());
                if (zfs.exists(parent + "/" + name) && !zfs.exists(staging + "/" + name)) {
                    rename(parent + "/" + name, staging + "/" + name);
                    docker.removeVolume(name, true);
                }
            }
        }
        return Reply.success();
    }

    /** Drops staged copies that share no snapshot with the source any more (the next send is a full one). */
    private synchronized Reply discard(Request r) {
        for (AgentWire.Volume v : r.volumes()) {
            String ds = staging + "/" + checkedName(v.name());
            if (zfs.exists(ds)) {
                zfs.destroy(ds, true);
            }
        }
        return Reply.success();
    }

    /** The container this migration created: remembered, or (after this agent restarted) found by its name. */
    private String createdBy(Request r) {
        String id = created.get(r.migration());
        if (id == null && r.inspect() != null && r.inspect().hasNonNull("Name")) {
            try {
                // prepare found the name free, so a container of that name now is this migration's
                id = docker.container(r.inspect().get("Name").asText().replaceFirst("^/", "")).id();
            } catch (DockerNotFoundException none) {
                return null;
            }
        }
        return id;
    }

    private Reply status(Request r) {
        String id = createdBy(r);
        if (id == null) {
            return new Reply(true, null, null, hostId, null, null, null, "unknown", null, null);
        }
        boolean running = docker.container(id).state() != null && docker.container(id).state().running();
        return new Reply(true, null, null, hostId, null, null, null, running ? "running" : "created", id, null);
    }

    private void ensureStaging() {
        if (!zfs.exists(staging)) {
            Map<String, String> props = new LinkedHashMap<>();
            props.put("canmount", "off");
            props.put("mountpoint", "none");
            zfs.create(staging, props, true);
        }
    }

    /** Equivalent to: {@code zfs rename FROM TO}. */
    private static void rename(String from, String to) {
        var r = dev.berth.exec.Command.of("zfs", "rename", from, to).timeout(java.time.Duration.ofMinutes(1)).run();
        if (!r.ok()) {
            throw new MigrationException(Kind.INTERNAL, "zfs rename " + from + " " + to + ": " + r.stderr().strip());
        }
    }

    private static String checkedName(String name) {
        if (name == null || !name.matches("[A-Za-z0-9][A-Za-z0-9_.-]*")) {
            throw new MigrationException(Kind.BAD_REQUEST, "not a volume name: '" + name + "'");
        }
        return name;
    }
}
