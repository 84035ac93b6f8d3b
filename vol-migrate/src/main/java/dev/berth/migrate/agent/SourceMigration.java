package dev.berth.migrate.agent;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.docker.ContainerSpec;
import dev.berth.docker.DockerApi;
import dev.berth.kv.KvStore;
import dev.berth.migrate.MigrationException;
import dev.berth.migrate.MigrationException.Kind;
import dev.berth.migrate.agent.AgentWire.Reply;
import dev.berth.migrate.agent.AgentWire.Request;
import dev.berth.migrate.precopy.RoundPolicy;
import dev.berth.migrate.tls.PeerConnection;
import dev.berth.migrate.tls.PinnedPeers;
import dev.berth.migrate.tls.SecureChannel;
import dev.berth.migrate.transfer.ChunkedOutputStream;
import dev.berth.migrate.transfer.SnapshotSender;
import dev.berth.migrate.zfs.SnapshotId;
import dev.berth.migrate.zfs.SnapshotStreams;
import dev.berth.zfs.Zfs;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One migration, run by the source host's agent: pre-copy rounds while the container runs, stop, the last delta, a
 * check that both sides hold the same final snapshot, the container created on the target, volume ownership handed
 * over in the store, the target's container started, the source's copy removed (or kept in staging).
 *
 * <p>Faults: before the stop nothing on the source changes but snapshots, and the container keeps running; a
 * failure between the stop and the target's start starts the source's container again (and its restart policy
 * back) after the target has undone its part. Only when the target cannot be asked whether it started the
 * container does the source stay stopped ({@code in-doubt}): never two running copies.
 */
public final class SourceMigration implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(SourceMigration.class);
    static final String OWNERS = "migrate/volumes/";
    /** A transfer that moves no byte for this long is cut (a dead link would otherwise block a write for minutes). */
    static final Duration STALL = Duration.ofSeconds(60);
    private static final java.util.concurrent.ScheduledExecutorService WATCHDOG =
            java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "berth-migrate-watchdog");
                t.setDaemon(true);
                return t;
            });
    private static final List<String> CARRIED = List.of("quota", "refquota", "reservation", "refreservation",
            "compression", "recordsize", "atime", "canmount");

    /** The agent's facilities a migration uses. */
    public record Context(String hostId, DockerApi docker, Zfs zfs, SnapshotStreams streams, String parent,
                          SecureChannel channel, PinnedPeers pins, AgentDirectory directory, KvStore store,
                          RoundPolicy policy, String driverName, Duration stall, Path journal) {
        /** With the default {@link #STALL}, and the journal in the agent's directory. */
        public Context(String hostId, DockerApi docker, Zfs zfs, SnapshotStreams streams, String parent,
                       SecureChannel channel, PinnedPeers pins, AgentDirectory directory, KvStore store,
                       RoundPolicy policy, String driverName) {
            this(hostId, docker, zfs, streams, parent, channel, pins, directory, store, policy, driverName, STALL,
                    Path.of("/var/lib/berth/migrate/journal"));
        }
    }

    /**
     * What the caller asked: {@code berth migrate CONTAINER --to HOST [--dry-run] [--keep-source] [--cold]}.
     * {@code cold}: stop first, send everything, start there (no pre-copy; down for the whole transfer): the
     * anchor the benchmark compares against, and a choice for a container that must not run while it is copied.
     */
    public record Request(String container, String target, boolean dryRun, boolean keepSource, boolean cold) {
    }

    private record Vol(String name, String dataset) {
    }

    private final String id;
    private final Request req;
    private final Context cx;
    private final long started = System.nanoTime();
    private volatile String state = "copying";
    private volatile int round;
    private volatile long bytesSent;
    private volatile long roundBytes;
    private volatile long roundEstimate;
    private volatile long rate;
    private volatile long lastRoundBytes;
    private volatile Long downtimeMs;
    private volatile Long totalMs;
    private volatile String message = "starting";
    private volatile String error;
    private final List<String> rounds = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final List<String> plan = new java.util.concurrent.CopyOnWriteArrayList<>();
    private Journal.Entry journaled;

    public SourceMigration(String id, Request req, Context cx) {
        this.id = id;
        this.req = req;
        this.cx = cx;
    }

    public String id() {
        return id;
    }

    public MigrationStatus status() {
        long eta = rate > 0 && roundEstimate > roundBytes ? (roundEstimate - roundBytes) / rate : 0;
        return new MigrationStatus(id, req.container(), cx.hostId(), req.target(), state, round, bytesSent,
                roundBytes, roundEstimate, rate, eta, downtimeMs, totalMs, List.copyOf(rounds), message, error,
                plan.isEmpty() ? null : List.copyOf(plan));
    }

    @Override
    public void run() {
        try {
            migrate();
        } catch (RuntimeException e) {
            error = e.getMessage();
            if (!List.of("rolled-back", "in-doubt").contains(state)) {
                state = "failed";
            }
            LOG.error("migration {} of {} to {}: {}", id, req.container(), req.target(), e.toString());
        } finally {
            if (totalMs == null) {
                totalMs = (System.nanoTime() - started) / 1_000_000;
            }
        }
    }

    private void migrate() {
        DockerApi docker = cx.docker();
        JsonNode inspect = docker.containerJson(req.container());
        ContainerSpec spec = ContainerSpec.from(inspect);
        String containerId = inspect.path("Id").asText();
        boolean running = inspect.path("State").path("Running").asBoolean();
        List<Vol> vols = volumes(spec);
        if (req.target().equals(cx.hostId())) {
            throw new MigrationException(Kind.BAD_REQUEST, "the container is on " + req.target() + " already");
        }
        AgentDirectory.Agent target = cx.directory().require(req.target(), cx.pins());
        message = "asking " + req.target() + " to prepare";
        Reply prep = call(target, new AgentWire.Request("prepare", id, inspect, spec.imageId(),
                vols.stream().map(v -> AgentWire.Volume.named(v.name())).toList()));
        Map<String, String> base = new LinkedHashMap<>();
        for (Vol v : vols) {
            Map<String, String> staged = prep.staged() == null ? Map.of() : prep.staged().getOrDefault(v.name(),
                    Map.of());
            base.put(v.name(), lastCommon(v, staged));
            if (base.get(v.name()) == null && !staged.isEmpty() && !req.dryRun()) {
                call(target, new AgentWire.Request("discard", id, null, null, List.of(AgentWire.Volume.named(
                        v.name()))));
            }
        }
        if (req.dryRun()) {
            plan.add("container " + spec.name() + " (" + spec.image() + ", " + (running ? "running" : "stopped")
                    + ") from " + cx.hostId() + " to " + req.target());
            plan.add(Boolean.TRUE.equals(prep.needImage()) ? "image " + spec.image() + ": sent (the target lacks it)"
                    : "image " + spec.image() + ": the target has it");
            for (Vol v : vols) {
                String used = cx.zfs().get(v.dataset(), List.of("used")).get("used");
                plan.add("volume " + v.name() + " (" + v.dataset() + ", " + used + " bytes used): "
                        + (base.get(v.name()) == null ? "full send" : "incremental from @" + base.get(v.name())
                        + ", which the target holds"));
            }
            spec.networks().forEach((n, ep) -> plan.add("network " + n + ": address " + ep.ipv4Address()
                    + " kept"));
            state = "planned";
            message = "dry run: nothing was changed";
            return;
        }
        if (Boolean.TRUE.equals(prep.needImage())) {
            sendImage(target, spec.image());
        }
        String policy = inspect.path("HostConfig").path("RestartPolicy").path("Name").asText("no");
        int retries = inspect.path("HostConfig").path("RestartPolicy").path("MaximumRetryCount").asInt(0);
        long stoppedAt = System.nanoTime();
        boolean stoppedFirst = running && req.cold();
        if (stoppedFirst) {
            state = "stopping";
            journal(new Journal.Entry(id, req.container(), containerId, req.target(), policy, retries,
                    req.keepSource(), vols.stream().map(Vol::name).toList(), null, "stopped"));
            docker.updateRestartPolicy(containerId, "no", 0);
            stoppedAt = System.nanoTime();
            docker.stopContainer(containerId, stopGrace(inspect));
            state = "final";
            running = false;
        }
        // pre-copy while the container runs
        List<RoundPolicy.Round> done = new ArrayList<>();
        String last = null;
        for (int n = 0; ; n++) {
            round = n;
            message = "round " + n + ": sending " + (n == 0 ? "everything" : "what changed since round " + (n - 1));
            String snap = "berth-migrate-" + id + "-" + n;
            long t0 = System.nanoTime();
            long bytes;
            try {
                bytes = sendRound(target, vols, base, snap, prep.staging());
            } catch (RuntimeException e) {
                if (stoppedFirst) {
                    restartSource(containerId, policy, retries, e);
                }
                throw e;
            }
            Duration took = Duration.ofNanos(System.nanoTime() - t0);
            done.add(new RoundPolicy.Round(bytes, took, n == 0));
            rounds.add(bytes + "/" + took.toMillis());
            rate = took.toMillis() > 0 ? bytes * 1000 / took.toMillis() : rate;
            last = snap;
            if (!running) {
                break; // a stopped container's one round is the final one
            }
            RoundPolicy.Decision d = cx.policy().next(done);
            message = "round " + n + ": " + bytes + " bytes in " + took.toMillis() + " ms; " + d.reason();
            LOG.info("migration {}: {}", id, message);
            if (d.action() == RoundPolicy.Action.STOP_AND_COPY) {
                break;
            }
        }
        if (running) {
            stoppedAt = System.nanoTime();
            state = "stopping";
            message = "stopping " + spec.name() + " on " + cx.hostId();
            journal(new Journal.Entry(id, req.container(), containerId, req.target(), policy, retries,
                    req.keepSource(), vols.stream().map(Vol::name).toList(), null, "stopped"));
            docker.updateRestartPolicy(containerId, "no", 0);
            try {
                docker.stopContainer(containerId, stopGrace(inspect));
                state = "final";
                round = round + 1;
                last = "berth-migrate-" + id + "-" + round;
                long t0 = System.nanoTime();
                long bytes = sendRound(target, vols, base, last, prep.staging());
                rounds.add(bytes + "/" + (System.nanoTime() - t0) / 1_000_000 + " (final, stopped)");
            } catch (RuntimeException e) {
                restartSource(containerId, policy, retries, e);
                throw e;
            }
        }
        // the target takes over
        List<AgentWire.Volume> finals = new ArrayList<>();
        for (Vol v : vols) {
            String snap = v.dataset() + "@" + last;
            finals.add(new AgentWire.Volume(v.name(), last, Long.toUnsignedString(cx.streams().guid(snap)),
                    carried(v.dataset())));
        }
        state = "starting";
        message = "creating " + spec.name() + " on " + req.target();
        try {
            if (journaled != null) {
                journal(journaled.withFinals(finals));
            }
            call(target, new AgentWire.Request("commit", id, inspect, spec.imageId(), finals));
            if (journaled != null) {
                journal(journaled.at("committed"));
            }
        } catch (RuntimeException e) {
            if (running || stoppedFirst) {
                restartSource(containerId, policy, retries, e);
            }
            throw e;
        }
        for (Vol v : vols) {
            cx.store().put(OWNERS + v.name(), ("{\"host\":\"" + req.target() + "\",\"migration\":\"" + id + "\"}")
                    .getBytes(StandardCharsets.UTF_8));
        }
        try {
            call(target, new AgentWire.Request("start", id, null, null, null));
            if (journaled != null) {
                journal(journaled.at("started"));
            }
        } catch (MigrationException e) {
            if (!handleStartFailure(target, containerId, policy, retries, running || stoppedFirst, vols, finals,
                    e)) {
                throw e;
            }
        }
        downtimeMs = running || stoppedFirst ? (System.nanoTime() - stoppedAt) / 1_000_000 : null;
        if (!policy.equals("no")) {
            message = "restart policy " + policy + " kept on the target";
        }
        // the source's copy goes
        message = "running on " + req.target() + (downtimeMs == null ? "" : " after " + downtimeMs + " ms down")
                + "; removing the copy on " + cx.hostId();
        try {
            docker.removeContainer(containerId, true, false);
            for (Vol v : vols) {
                if (req.keepSource()) {
                    keepInStaging(v);
                    docker.removeVolume(v.name(), true);
                } else {
                    docker.removeVolume(v.name(), false);
                }
            }
            message = "running on " + req.target() + (downtimeMs == null ? "" : " after " + downtimeMs
                    + " ms down");
        } catch (RuntimeException e) {
            message = "running on " + req.target() + "; removing the copy on " + cx.hostId() + " failed: "
                    + e.getMessage();
            LOG.warn("migration {}: {}", id, message);
        }
        totalMs = (System.nanoTime() - started) / 1_000_000;
        unjournal();
        state = "done";
        LOG.info("migration {} of {} to {} done: downtime {} ms, rounds {}", id, req.container(), req.target(),
                downtimeMs, rounds);
    }

    /** The container's berth/zfs volumes; any other volume or bind mount cannot move, and is refused. */
    private List<Vol> volumes(ContainerSpec spec) {
        List<Vol> out = new ArrayList<>();
        List<String> refused = new ArrayList<>();
        for (ContainerSpec.Volume v : spec.volumes()) {
            String driver = v.driver() == null ? "" : v.driver();
            if (driver.equals(cx.driverName()) || driver.startsWith(cx.driverName() + ":")) {
                out.add(new Vol(v.name(), cx.parent() + "/" + v.name()));
            } else {
                refused.add(v.name() + " (driver " + (driver.isEmpty() ? "local" : driver) + ")");
            }
        }
        JsonNode binds = cx.docker().containerJson(req.container()).path("Mounts");
        for (JsonNode m : binds) {
            if ("bind".equals(m.path("Type").asText())) {
                refused.add("bind mount " + m.path("Source").asText());
            }
        }
        if (!refused.isEmpty()) {
            throw new MigrationException(Kind.BAD_REQUEST, "only " + cx.driverName() + " volumes can move with a "
                    + "container; " + req.container() + " also has " + String.join(", ", refused));
        }
        for (Vol v : out) {
            if (!cx.zfs().exists(v.dataset())) {
                throw new MigrationException(Kind.NOT_FOUND, "volume " + v.name() + " has no dataset "
                        + v.dataset() + " on " + cx.hostId());
            }
        }
        return out;
    }

    /** The latest snapshot of the source's dataset that the target holds too (by GUID), or null. */
    private String lastCommon(Vol v, Map<String, String> staged) {
        if (staged.isEmpty()) {
            return null;
        }
        List<SnapshotId> mine = cx.streams().snapshots(v.dataset());
        for (int i = mine.size() - 1; i >= 0; i--) {
            if (staged.containsValue(Long.toUnsignedString(mine.get(i).guid()))) {
                return mine.get(i).shortName();
            }
        }
        return null;
    }

    /** Snapshots every volume as {@code snap} and sends each, incremental from {@code base} where it has one. */
    private long sendRound(AgentDirectory.Agent target, List<Vol> vols, Map<String, String> base, String snap,
                           String targetStaging) {
        long total = 0;
        roundBytes = 0;
        roundEstimate = 0;
        for (Vol v : vols) {
            cx.zfs().snapshot(v.dataset() + "@" + snap, Map.of());
        }
        for (Vol v : vols) {
            String from = base.get(v.name());
            try {
                // a full stream's estimate is a property read; an incremental's can cost a dry send (zfs-fuse), so
                // the last round's size stands in for it
                roundEstimate += from == null ? cx.streams().estimateBytes(v.dataset() + "@" + snap, null)
                        : lastRoundBytes / Math.max(1, vols.size());
            } catch (RuntimeException e) {
                // an estimate is for the ETA only
            }
        }
        for (Vol v : vols) {
            String full = v.dataset() + "@" + snap;
            String from = base.get(v.name());
            String stagingDataset = targetStaging + "/" + v.name();
            SnapshotSender.RoundRequest rr = from == null ? SnapshotSender.RoundRequest.full(v.name(), full,
                    stagingDataset) : SnapshotSender.RoundRequest.incremental(v.name(), "@" + from, full,
                    stagingDataset);
            long before = total;
            try (PeerConnection peer = connect(target); Watchdog dog = new Watchdog(peer, cx.stall())) {
                AgentWire.write(peer.output(), new AgentWire.Request("round", id, null, null, null));
                var result = new SnapshotSender(cx.streams()).send(peer, rr, soFar -> {
                    roundBytes = before + soFar;
                    dog.moved();
                });
                total += result.bytes();
                bytesSent += result.bytes();
            } catch (IOException e) {
                throw new MigrationException(Kind.UNAVAILABLE, "sending " + full + " to " + req.target() + ": "
                        + e.getMessage(), e);
            }
            base.put(v.name(), snap);
        }
        lastRoundBytes = total;
        return total;
    }

    private void sendImage(AgentDirectory.Agent target, String image) {
        message = "sending image " + image + " to " + req.target();
        try (PeerConnection peer = connect(target); Watchdog dog = new Watchdog(peer, cx.stall())) {
            AgentWire.write(peer.output(), new AgentWire.Request("image", id, null, null, null));
            ChunkedOutputStream out = new ChunkedOutputStream(peer.output());
            cx.docker().saveImage(image, new java.io.FilterOutputStream(out) {
                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    out.write(b, off, len);
                    dog.moved();
                }
            });
            out.finish();
            Reply r = AgentWire.read(peer.input(), Reply.class);
            if (!r.ok()) {
                throw r.toException(req.target());
            }
        } catch (IOException e) {
            throw new MigrationException(Kind.UNAVAILABLE, "sending image " + image + " to " + req.target() + ": "
                    + e.getMessage(), e);
        }
    }

    private Reply call(AgentDirectory.Agent target, AgentWire.Request r) {
        try (PeerConnection peer = connect(target)) {
            AgentWire.write(peer.output(), r);
            Reply reply = AgentWire.read(peer.input(), Reply.class);
            if (!reply.ok()) {
                throw reply.toException(req.target());
            }
            return reply;
        } catch (IOException e) {
            throw new MigrationException(Kind.UNAVAILABLE, r.op() + " on " + req.target() + ": " + e.getMessage(), e);
        }
    }

    private PeerConnection connect(AgentDirectory.Agent target) {
        return cx.channel().connect(target.socketAddress(), target.host());
    }

    /** The ZFS properties the volume keeps on the target; never the mount counts (they belong to this host). */
    private Map<String, String> carried(String dataset) {
        Map<String, String> out = new LinkedHashMap<>();
        cx.zfs().get(dataset, CARRIED).forEach((k, v) -> {
            if (!"-".equals(v)) {
                // exact values (-p) say 0 for "no quota", which zfs set refuses: it wants none
                out.put(k, v.equals("0") && k.contains("quota") || v.equals("0") && k.contains("reservation")
                        ? "none" : v);
            }
        });
        cx.zfs().localUserProperties(dataset).forEach((k, v) -> {
            if (!k.startsWith("berth:mount")) {
                out.put(k, v);
            }
        });
        return out;
    }

    /** An inspect holding only the container's name: what the target needs to find it after its own restart. */
    static JsonNode nameOnly(String name) {
        return AgentWire.JSON.createObjectNode().put("Name", "/" + name.replaceFirst("^/", ""));
    }

    private void journal(Journal.Entry e) {
        new Journal(cx.journal()).write(e);
        journaled = e;
    }

    private void unjournal() {
        if (journaled != null) {
            new Journal(cx.journal()).remove(id);
            journaled = null;
        }
    }

    private void restartSource(String containerId, String policy, int retries, RuntimeException cause) {
        try {
            cx.docker().startContainer(containerId);
            cx.docker().updateRestartPolicy(containerId, policy, retries);
            unjournal();
            state = "rolled-back";
            message = "the container runs on " + cx.hostId() + " again";
        } catch (RuntimeException e) {
            cause.addSuppressed(e);
            message = "starting the container on " + cx.hostId() + " again failed: " + e.getMessage();
        }
    }

    /**
     * The target's start did not answer: ask it. Not running there: undo its commit and run here again. No answer
     * at all: stay stopped here and say so (in-doubt), since it may be running there.
     */
    private boolean handleStartFailure(AgentDirectory.Agent target, String containerId, String policy, int retries,
                                       boolean running, List<Vol> vols, List<AgentWire.Volume> finals,
                                       MigrationException e) {
        Reply st;
        try {
            st = call(target, new AgentWire.Request("status", id, nameOnly(req.container()), null, null));
        } catch (RuntimeException unreachable) {
            state = "in-doubt";
            message = "the target did not say whether it started the container: it stays stopped on "
                    + cx.hostId() + "; the agent asks again when it restarts, or look at " + req.target()
                    + " (docker ps) before starting either";
            return false;
        }
        if ("running".equals(st.state())) {
            return true; // it runs there: the start's answer was lost only
        }
        call(target, new AgentWire.Request("abort", id, nameOnly(req.container()), null, finals));
        for (Vol v : vols) {
            cx.store().delete(OWNERS + v.name());
        }
        if (running) {
            restartSource(containerId, policy, retries, e);
        }
        return false;
    }

    private void keepInStaging(Vol v) {
        String staging = TargetService.stagingFor(cx.parent());
        if (!cx.zfs().exists(staging)) {
            cx.zfs().create(staging, Map.of("canmount", "off", "mountpoint", "none"), true);
        }
        var r = dev.berth.exec.Command.of("zfs", "rename", v.dataset(), staging + "/" + v.name())
                .timeout(Duration.ofMinutes(1)).run();
        if (!r.ok()) {
            throw new MigrationException(Kind.INTERNAL, "keeping " + v.dataset() + ": " + r.stderr().strip());
        }
    }

    /** Closes a connection on which nothing moved for a while (the stall): the blocked write or read then fails. */
    private static final class Watchdog implements AutoCloseable {
        private final java.util.concurrent.atomic.AtomicLong last = new java.util.concurrent.atomic.AtomicLong(
                System.nanoTime());
        private final java.util.concurrent.ScheduledFuture<?> check;

        Watchdog(PeerConnection peer, Duration stall) {
            long every = Math.max(1, Math.min(5, stall.toSeconds() / 2));
            check = WATCHDOG.scheduleWithFixedDelay(() -> {
                if (System.nanoTime() - last.get() > stall.toNanos()) {
                    LOG.warn("nothing moved to {} for {} s: cutting the connection", peer.peerHostId(),
                            stall.toSeconds());
                    peer.abort();
                }
            }, every, every, java.util.concurrent.TimeUnit.SECONDS);
        }

        void moved() {
            last.set(System.nanoTime());
        }

        @Override
        public void close() {
            check.cancel(false);
        }
    }

    private static Duration stopGrace(JsonNode inspect) {
        JsonNode t = inspect.path("Config").path("StopTimeout");
        return Duration.ofSeconds(t.isNumber() ? t.asInt() : 10);
    }
}
