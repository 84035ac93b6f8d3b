package dev.berth.kv;

import java.time.Duration;

/** A lease kept alive in the background; keys put under it vanish when it ends. Close to revoke. */
public interface Lease extends AutoCloseable {
    /** The store's id for the lease (etcd lease ID, ZooKeeper session ID, Consul session, embedded row). */
    long id();

    Duration ttl();

    /** False once the store has ended the lease (expired during an outage) or it was closed. */
    boolean isAlive();

    /**
     * Revokes the lease: its keys are deleted now. Throws {@link KvUnavailableException} when the store cannot be
     * reached; the keys then go when the TTL runs out.
     */
    @Override
    void close();
}
