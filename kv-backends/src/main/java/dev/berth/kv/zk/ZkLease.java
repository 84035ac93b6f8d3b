package dev.berth.kv.zk;

import dev.berth.kv.KvException;
import dev.berth.kv.KvUnavailableException;
import dev.berth.kv.Lease;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.function.LongConsumer;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException.Code;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.Stat;

/**
 * A lease is a ZooKeeper session of its own (its own Curator client and connection) whose session timeout is the
 * lease's TTL, and the EPHEMERAL znode {@code leases/<session id>} that session owns. ZooKeeper keeps the session
 * alive with its heartbeats and carries it across a reconnect to any server of the ensemble, so an outage shorter
 * than the TTL does not end the lease; when the process dies (or is cut off longer than the TTL) the ensemble expires
 * the session and deletes the marker, and the store's {@link LeaseReaper}s delete the lease's keys through the log.
 *
 * <p>The TTL: ZooKeeper clamps a session timeout to the server's [minSessionTimeout, maxSessionTimeout], by default 2
 * and 20 ticks (4 s to 40 s with the default tickTime of 2 s). {@link #ttl()} is the timeout the server granted, not
 * the one asked for. Curator reports LOST when the session expired or the connection was down for a whole session
 * timeout; the lease then counts as ended ({@link #isAlive()} false) and is never revived: grant a new one.
 */
final class ZkLease implements Lease {
    private final CuratorFramework session;
    private final long id;
    private final Duration ttl;
    private final LongConsumer revoke;
    private final Object owner;
    private volatile boolean ended;
    private volatile boolean closed;

    private ZkLease(CuratorFramework session, long id, Duration ttl, LongConsumer revoke, Object owner) {
        this.owner = owner;
        this.session = session;
        this.id = id;
        this.ttl = ttl;
        this.revoke = revoke;
    }

    /**
     * Opens the lease's session, creates its marker (owned by that very session) and, through the store's client, its
     * key index {@code lease-keys/<id>}.
     */
    static ZkLease grant(ZkConnector connector, ZkCalls store, ZkLayout layout, Duration requested,
                         LongConsumer revoke, Object owner) {
        int ms = (int) Math.max(1, Math.min(Integer.MAX_VALUE, requested.toMillis()));
        CuratorFramework session = connector.connect(ms, "lease");
        try {
            ZooKeeper zk = session.getZookeeperClient().getZooKeeper();
            long id = zk.getSessionId();
            Duration granted = Duration.ofMillis(zk.getSessionTimeout());
            ZkCalls own = new ZkCalls(session, connector.connectString(), connector.callTimeout(), store.acl());
            long deadline = own.deadline();
            String marker = layout.leaseMarker(id);
            byte[] data = ByteBuffer.allocate(2 * Long.BYTES).putLong(requested.toMillis())
                    .putLong(granted.toMillis()).array();
            Code c = own.create(marker, data, CreateMode.EPHEMERAL, deadline);
            Stat stat = own.exists(marker, null, deadline).orElse(null);
            if (c == Code.NONODE || stat == null || stat.getEphemeralOwner() != id) {
                throw new KvUnavailableException("ZooKeeper session of the new lease " + ZkLayout.leaseName(id)
                        + " ended while it was being granted");
            }
            store.create(layout.leaseKeys(id), new byte[0], CreateMode.PERSISTENT, store.deadline());
            ZkLease lease = new ZkLease(session, id, granted, revoke, owner);
            session.getConnectionStateListenable().addListener((client, state) -> {
                if (state == ConnectionState.LOST) {
                    lease.ended = true;
                }
            });
            if (zk.getSessionId() != id || !zk.getState().isAlive()) {
                lease.ended = true;
            }
            return lease;
        } catch (KvException e) {
            session.close();
            throw e;
        } catch (Exception e) {
            session.close();
            throw new KvException("could not grant a ZooKeeper lease", e);
        }
    }

    /** Whether this lease was granted by that store. */
    boolean grantedBy(Object store) {
        return owner == store;
    }

    @Override
    public long id() {
        return id;
    }

    @Override
    public Duration ttl() {
        return ttl;
    }

    @Override
    public boolean isAlive() {
        return !closed && !ended;
    }

    /** Ends the session (the server deletes the marker at once) and deletes the lease's keys through the log. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        session.close();
        revoke.accept(id);
    }

    /**
     * As if the process died: the connection is dropped without closing the session, so the server keeps the lease
     * until its TTL runs out, and nothing here deletes its keys.
     */
    void abandon() {
        closed = true;
        ended = true;
        try {
            session.getZookeeperClient().getZooKeeper().getTestable().injectSessionExpiration();
        } catch (Exception e) {
            // the connection is already gone: just as good
        }
        session.close();
    }
}
