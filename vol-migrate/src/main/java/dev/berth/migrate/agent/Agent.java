package dev.berth.migrate.agent;

import dev.berth.migrate.MigrationException;
import dev.berth.migrate.MigrationException.Kind;
import dev.berth.migrate.tls.PeerConnection;
import dev.berth.migrate.tls.SecureChannel;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One host's migration agent: serves other agents over mutually authenticated TLS ({@link TargetService}) and runs
 * the migrations asked of it through its {@link LocalApi} ({@link SourceMigration}), one at a time per container.
 */
public final class Agent implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Agent.class);
    private final SourceMigration.Context cx;
    private final TargetService target;
    private final SecureChannel.Server server;
    private final ExecutorService workers = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "berth-migrate");
        t.setDaemon(true);
        return t;
    });
    private final Map<String, SourceMigration> migrations = new LinkedHashMap<>();
    private volatile boolean closed;

    public Agent(SourceMigration.Context cx, TargetService target, InetSocketAddress listen) {
        this.cx = cx;
        this.target = target;
        this.server = cx.channel().listen(listen);
        Thread accept = new Thread(this::acceptLoop, "berth-migrate-accept");
        accept.setDaemon(true);
        accept.start();
    }

    public int port() {
        return server.port();
    }

    private void acceptLoop() {
        while (!closed) {
            PeerConnection peer;
            try {
                peer = server.accept();
            } catch (RuntimeException e) {
                if (!closed) {
                    LOG.warn("refused a connection: {}", e.getMessage());
                }
                continue;
            }
            workers.execute(() -> {
                try (peer) {
                    target.serve(peer);
                } catch (RuntimeException e) {
                    LOG.warn("serving {}: {}", peer.peerHostId(), e.toString());
                }
            });
        }
    }

    /** Starts a migration after the checks that can fail at once (the container, the target agent). */
    public synchronized String start(SourceMigration.Request r) {
        cx.docker().containerJson(r.container()); // 404 at once for a missing container
        String to = cx.directory().require(r.target(), cx.pins()).host(); // the host id, also when given an address
        if (to.equals(cx.hostId())) {
            throw new MigrationException(Kind.BAD_REQUEST, "the container is on " + r.target() + " already");
        }
        r = new SourceMigration.Request(r.container(), to, r.dryRun(), r.keepSource(), r.cold());
        for (SourceMigration m : migrations.values()) {
            var st = m.status();
            if (st.container().equals(r.container()) && !st.finished()) {
                throw new MigrationException(Kind.CONFLICT, "migration " + m.id() + " of " + r.container()
                        + " is under way");
            }
        }
        String id = UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        SourceMigration m = new SourceMigration(id, r, cx);
        migrations.put(id, m);
        workers.execute(m);
        return id;
    }

    /**
     * After a restart: each migration this agent had stopped a container for and did not finish (its journal) is
     * finished or undone, asking the target what it did. Running there: the copy here is removed. Created but not
     * started there, or never committed: the target's part is undone and the container runs here again. The target
     * cannot be asked: asked again every 10 s (the container stays stopped meanwhile: never two running copies).
     */
    public void recover() {
        Journal journal = new Journal(cx.journal());
        for (int attempt = 0; attempt < 360 && !closed; attempt++) {
            List<Journal.Entry> pending;
            try {
                pending = journal.pending();
            } catch (RuntimeException e) {
                LOG.error("cannot read the journal {}: {}", cx.journal(), e.toString());
                return;
            }
            if (pending.isEmpty()) {
                return;
            }
            for (Journal.Entry e : pending) {
                try {
                    recover(e);
                    journal.remove(e.id());
                } catch (RuntimeException ex) {
                    LOG.warn("migration {} of {}: not settled yet ({}); asking again in 10 s", e.id(), e.container(),
                            ex.getMessage());
                }
            }
            try {
                Thread.sleep(10_000);
            } catch (InterruptedException ie) {
                return;
            }
        }
    }

    private void recover(Journal.Entry e) {
        AgentDirectory.Agent target = cx.directory().require(e.target(), cx.pins());
        AgentWire.Reply st = call(target, new AgentWire.Request("status", e.id(),
                SourceMigration.nameOnly(e.container()), null, null));
        if ("running".equals(st.state())) {
            LOG.info("migration {}: {} runs on {}; removing the copy here", e.id(), e.container(), e.target());
            try {
                cx.docker().removeContainer(e.containerId(), true, false);
            } catch (dev.berth.docker.DockerNotFoundException gone) {
                // removed already
            }
            return;
        }
        if ("created".equals(st.state())) {
            call(target, new AgentWire.Request("abort", e.id(), SourceMigration.nameOnly(e.container()), null,
                    e.finals() == null ? List.of() : e.finals()));
        }
        for (String v : e.volumes()) {
            cx.store().delete(SourceMigration.OWNERS + v);
        }
        // a stop this agent asked for may still be under way (the daemon finishes it without us): let it end first
        cx.docker().stopContainer(e.containerId(), java.time.Duration.ofSeconds(30));
        cx.docker().startContainer(e.containerId());
        cx.docker().updateRestartPolicy(e.containerId(), e.policy(), e.retries());
        LOG.info("migration {}: {} did not move ({} on {}); it runs here again", e.id(), e.container(),
                st.state(), e.target());
    }

    private AgentWire.Reply call(AgentDirectory.Agent target, AgentWire.Request r) {
        try (PeerConnection peer = cx.channel().connect(target.socketAddress(), target.host())) {
            AgentWire.write(peer.output(), r);
            AgentWire.Reply reply = AgentWire.read(peer.input(), AgentWire.Reply.class);
            if (!reply.ok()) {
                throw reply.toException(target.host());
            }
            return reply;
        } catch (java.io.IOException ex) {
            throw new MigrationException(Kind.UNAVAILABLE, r.op() + " on " + target.host() + ": " + ex.getMessage(),
                    ex);
        }
    }

    public synchronized Optional<MigrationStatus> status(String id) {
        return Optional.ofNullable(migrations.get(id)).map(SourceMigration::status);
    }

    public synchronized List<MigrationStatus> migrations() {
        List<MigrationStatus> out = new ArrayList<>();
        migrations.values().forEach(m -> out.add(m.status()));
        return out;
    }

    public Map<String, Object> describe() {
        return Map.of("host", cx.hostId(), "port", port(), "parent", cx.parent());
    }

    @Override
    public void close() {
        closed = true;
        server.close();
        workers.shutdownNow();
    }
}
