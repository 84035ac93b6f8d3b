package dev.berth.kv;

import java.time.Duration;
import java.util.Optional;

/**
 * The one store interface of the suite: a key-value map with revisions, leases and gap-free watches, over etcd,
 * Consul, ZooKeeper or the embedded single-host store. Keys are relative to the prefix the store was opened with and
 * look like paths ({@code ipam/pools/10.1.0.0-16}); values are bytes.
 *
 * <p>Revisions: every successful write gets a store revision that is higher than every earlier one; a
 * {@link KeyValue} carries the revision that created it and the one that last modified it. {@link #list} returns the
 * revision it reflects, and {@link #watch} from that revision delivers every later change in order, so nothing is lost
 * between a list and a watch.
 *
 * <p>Every call has a timeout (the store's {@link KvOptions#callTimeout()}); a store that cannot be reached within it
 * raises {@link KvUnavailableException}. A conditional write whose answer was lost raises
 * {@link KvOutcomeUnknownException}: read before retrying. A plain put or delete may be resent to another server after
 * a failover, so it is applied at least once (a watcher may then see the same value twice). Revisions passed to the
 * conditional calls must be positive. Implementations are safe for concurrent use.
 */
public interface KvStore extends AutoCloseable {

    /** The value at key, or empty. */
    Optional<KeyValue> get(String key);

    /** Sets key to value (creating or replacing it); returns the new modification revision. */
    long put(String key, byte[] value);

    /** As {@link #put}, but the key is deleted when the lease ends (its owner died or revoked it). */
    long put(String key, byte[] value, Lease lease);

    /** Creates key only if it does not exist; returns the new revision, or empty if the key was already there. */
    Optional<Long> create(String key, byte[] value);

    /** As {@link #create}, bound to a lease. */
    Optional<Long> create(String key, byte[] value, Lease lease);

    /**
     * Replaces key's value only if its modification revision is still {@code expectedModRevision}; returns the new
     * revision, or empty if the key changed or vanished in between. The key keeps the lease it had.
     */
    Optional<Long> compareAndSet(String key, long expectedModRevision, byte[] value);

    /** Deletes key only if its modification revision is still {@code expectedModRevision}; true if it was deleted. */
    boolean compareAndDelete(String key, long expectedModRevision);

    /** Deletes key; true if it existed. */
    boolean delete(String key);

    /** Every key under prefix (empty prefix: everything), sorted by key, with the store revision the listing reflects. */
    Listing list(String prefix);

    /**
     * Delivers, in revision order, every change under prefix with a revision greater than {@code afterRevision}
     * (typically {@link Listing#revision()}). If the store can no longer prove that nothing was missed (history
     * compacted, or a reconnect it cannot bridge), the listener's {@link WatchListener#onReset} is called and the
     * watch ends: list again and watch from the new revision ({@link PrefixView} does this for you).
     */
    Watch watch(String prefix, long afterRevision, WatchListener listener);

    /**
     * A lease of about {@code ttl}, kept alive in the background until closed. Keys put under it disappear when it
     * ends: closed, or its process died and the TTL ran out. Short store outages (shorter than the TTL) do not end it.
     */
    Lease grantLease(Duration ttl);

    /** Quick reachability check, bounded by the call timeout: empty when healthy, else what is wrong. */
    Optional<String> problem();

    /** Releases connections and background threads (leases are revoked). */
    @Override
    void close();
}
