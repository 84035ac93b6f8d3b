package dev.berth.kv.zk;

import dev.berth.kv.log.LogStore;
import dev.berth.kv.log.LogStore.Kind;
import dev.berth.kv.log.KeyData;
import dev.berth.kv.log.LogEntry;
import dev.berth.kv.KvException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import java.util.function.LongConsumer;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException.Code;
import org.apache.zookeeper.Op;

/**
 * Every change to the store, as one ZooKeeper transaction that both changes the key and appends its log entry:
 *
 * <pre>
 * check  log/&lt;r-1&gt;                 the previous entry exists ...
 * create log/&lt;r&gt;                   ... and this one does not: r is exactly head + 1
 * setData head = r
 * create|setData|delete keys/&lt;key&gt;   with the version just read, so nothing changed the key in between
 * check  leases/&lt;lease&gt;            (leased writes) the lease is still alive
 * create|delete lease-keys/...      keep the lease's key index exact
 * </pre>
 *
 * Because an entry can only be created right after the last one, the log is dense and its order is the order of the
 * writes: revision r is the r-th change, and a key's modification revision is the name of its log entry. Two writers
 * that race for the same r both read the key and the head again; one wins. A write whose answer was lost with the
 * connection repeats the very same transaction: if it had landed, the entry {@code log/<r>} is there with this write's
 * nonce, and the write reports success instead of applying twice.
 */
final class ZkWriter {
    /** A change asked for; {@code lease} is the lease to bind (PUT, CREATE) or the dead lease to reap (REAP). */
    record Request(Kind kind, String key, byte[] value, long lease, long expectedModRevision) {
        boolean deletes() {
            return kind == Kind.CAD || kind == Kind.DELETE || kind == Kind.REAP;
        }
    }

    /** The revision the write got, or -1 if its condition did not hold (key present, absent, changed). */
    static final long NOT_APPLIED = LogStore.NOT_APPLIED;

    /** Values larger than this are refused: ZooKeeper caps a request at 1 MiB and a write carries the value twice. */
    static final int MAX_VALUE = 256 * 1024;

    private final ZkCalls zk;
    private final ZkLayout layout;
    private final Head head;
    private final LongConsumer onWritten;
    private final Consumer<String> afterDelete;

    /** The last revision this client has seen: writes try the one after it first. */
    static final class Head {
        private final java.util.concurrent.atomic.AtomicLong known = new java.util.concurrent.atomic.AtomicLong();

        long known() {
            return known.get();
        }

        long advance(long revision) {
            return known.accumulateAndGet(revision, Math::max);
        }
    }

    ZkWriter(ZkCalls zk, ZkLayout layout, Head head, LongConsumer onWritten, Consumer<String> afterDelete) {
        this.zk = zk;
        this.layout = layout;
        this.head = head;
        this.onWritten = onWritten;
        this.afterDelete = afterDelete;
    }

    /** Reads the head znode and remembers it; the store's current revision. */
    long readHead(long deadline) {
        ZkCalls.Node n = zk.getData(layout.head(), null, deadline)
                .orElseThrow(() -> new KvException("ZooKeeper store is not initialized: " + layout.head()
                        + " is missing"));
        return head.advance(ZkLayout.revisionOf(layout.head(), n.data()));
    }

    long write(Request req) {
        if (req.value() != null && req.value().length > MAX_VALUE) {
            throw new IllegalArgumentException("value of " + req.key() + " is " + req.value().length
                    + " bytes; the ZooKeeper store takes at most " + MAX_VALUE);
        }
        long deadline = zk.deadline();
        String path = layout.keyPath(req.key());
        boolean indexEntryMissing = false;
        while (true) {
            Optional<ZkCalls.Node> node = zk.getData(path, null, deadline);
            Optional<KeyData> cur = node.flatMap(n -> KeyData.decodeNode(path, n.data()));
            if (!applies(req, cur)) {
                if (req.kind() == Kind.REAP) {
                    zk.delete(layout.leaseKey(req.lease(), req.key()), -1, deadline);
                }
                return NOT_APPLIED;
            }
            Txn txn = build(req, path, node, cur, head.known() + 1, indexEntryMissing);
            Attempt a = commit(txn, deadline);
            switch (a) {
                case DONE -> {
                    head.advance(txn.revision);
                    onWritten.accept(txn.revision);
                    if (req.deletes()) {
                        afterDelete.accept(path);
                    }
                    return txn.revision;
                }
                case STALE_HEAD -> readHead(deadline);
                case LEASE_ENDED -> throw new KvException("lease " + ZkLayout.leaseName(txn.newLease)
                        + " has ended (its ZooKeeper session expired or it was revoked); grant a new one");
                case PARENT_MISSING -> ensureParents(path, deadline);
                case INDEX_MISSING -> indexEntryMissing = true;
                case INDEX_STALE -> zk.delete(layout.leaseKey(txn.newLease, req.key()), -1, deadline);
                case KEY_CHANGED -> {
                    // read the key again
                }
            }
            zk.pause("write " + req.key(), deadline);
        }
    }

    private static boolean applies(Request req, Optional<KeyData> cur) {
        return switch (req.kind()) {
            case PUT -> true;
            case CREATE -> cur.isEmpty();
            case CAS, CAD -> cur.isPresent() && cur.get().modRevision() == req.expectedModRevision();
            case DELETE -> cur.isPresent();
            case REAP -> cur.isPresent() && cur.get().lease() == req.lease();
        };
    }

    private enum Attempt { DONE, STALE_HEAD, KEY_CHANGED, LEASE_ENDED, PARENT_MISSING, INDEX_MISSING, INDEX_STALE }

    private record Txn(long revision, long nonce, long newLease, List<Op> ops, int keyOp, int leaseCheckOp,
                       int indexDeleteOp, int indexCreateOp, boolean createsKey) {
    }

    private Txn build(Request req, String path, Optional<ZkCalls.Node> node, Optional<KeyData> cur, long rev,
                      boolean indexEntryMissing) {
        long nonce = ThreadLocalRandom.current().nextLong();
        long oldLease = cur.map(KeyData::lease).orElse(0L);
        long newLease = switch (req.kind()) {
            case PUT, CREATE -> req.lease();
            case CAS -> oldLease;
            case CAD, DELETE, REAP -> 0L;
        };
        long createRevision = cur.map(KeyData::createRevision).orElse(rev);
        LogEntry entry = req.deletes() ? LogEntry.delete(req.key(), nonce)
                : LogEntry.put(req.key(), req.value(), createRevision, newLease, nonce);
        List<Op> ops = new ArrayList<>();
        ops.add(Op.check(layout.logPath(rev - 1), -1));
        ops.add(Op.create(layout.logPath(rev), entry.encode(), zk.acl(), CreateMode.PERSISTENT));
        ops.add(Op.setData(layout.head(), ZkLayout.revisionBytes(rev), -1));
        int keyOp = ops.size();
        boolean createsKey = false;
        if (req.deletes()) {
            int version = node.orElseThrow().stat().getVersion();
            // a key that has keys below it (a and a/b) becomes an interior znode again
            ops.add(node.get().stat().getNumChildren() > 0 ? Op.setData(path, new byte[0], version)
                    : Op.delete(path, version));
        } else {
            byte[] data = new KeyData(createRevision, rev, newLease, req.value()).encode();
            if (node.isPresent()) {
                ops.add(Op.setData(path, data, node.get().stat().getVersion()));
            } else {
                ops.add(Op.create(path, data, zk.acl(), CreateMode.PERSISTENT));
                createsKey = true;
            }
        }
        int leaseCheckOp = -1;
        if (newLease != 0) {
            leaseCheckOp = ops.size();
            ops.add(Op.check(layout.leaseMarker(newLease), -1));
        }
        int indexDeleteOp = -1;
        int indexCreateOp = -1;
        if (oldLease != newLease) {
            if (oldLease != 0 && !indexEntryMissing) {
                indexDeleteOp = ops.size();
                ops.add(Op.delete(layout.leaseKey(oldLease, req.key()), -1));
            }
            if (newLease != 0) {
                indexCreateOp = ops.size();
                ops.add(Op.create(layout.leaseKey(newLease, req.key()), new byte[0], zk.acl(),
                        CreateMode.PERSISTENT));
            }
        }
        return new Txn(rev, nonce, newLease, ops, keyOp, leaseCheckOp, indexDeleteOp, indexCreateOp, createsKey);
    }

    private Attempt commit(Txn txn, long deadline) {
        while (true) {
            ZkCalls.Outcome out = zk.multi(txn.ops, deadline);
            if (out.ok()) {
                return Attempt.DONE;
            }
            if (ZkCalls.transientFailure(out.code()) && out.failedOp() < 0) {
                // the answer was lost: the transaction may or may not have landed; repeat it as it is
                zk.pause("write revision " + txn.revision, deadline);
                continue;
            }
            int failed = out.failedOp();
            Code code = out.failedCode();
            if (failed == 1 && code == Code.NODEEXISTS) {
                return landedEarlier(txn, deadline) ? Attempt.DONE : Attempt.STALE_HEAD;
            }
            if (failed == 0) {
                return Attempt.STALE_HEAD;
            }
            if (failed == txn.leaseCheckOp) {
                return Attempt.LEASE_ENDED;
            }
            if (failed == txn.keyOp && code == Code.NONODE && txn.createsKey) {
                return Attempt.PARENT_MISSING;
            }
            if (failed == txn.indexDeleteOp && code == Code.NONODE) {
                return Attempt.INDEX_MISSING;
            }
            if (failed == txn.indexCreateOp && code == Code.NODEEXISTS) {
                return Attempt.INDEX_STALE;
            }
            if (failed >= txn.keyOp) {
                return Attempt.KEY_CHANGED;
            }
            throw new KvException("ZooKeeper refused the write of revision " + txn.revision + ": " + code
                    + " at operation " + failed);
        }
    }

    /** Whether {@code log/<r>} holds this very write (an earlier attempt whose answer was lost). */
    private boolean landedEarlier(Txn txn, long deadline) {
        String path = layout.logPath(txn.revision);
        return zk.getData(path, null, deadline)
                .map(n -> LogEntry.decode(path, n.data()).nonce() == txn.nonce)
                .orElse(false);
    }

    /**
     * Deletes the interior znodes a deletion left empty (no data, no children), bottom up. The delete carries the
     * version just read and ZooKeeper refuses to delete a znode with children, so a key written meanwhile survives.
     */
    void pruneEmptyParents(String path) {
        long deadline = zk.deadline();
        String keys = layout.keysDir();
        for (int slash = path.lastIndexOf('/'); slash > keys.length(); slash = path.lastIndexOf('/', slash - 1)) {
            String parent = path.substring(0, slash);
            Optional<ZkCalls.Node> n = zk.getData(parent, null, deadline);
            if (n.isEmpty() || n.get().data().length > 0 || n.get().stat().getNumChildren() > 0
                    || zk.delete(parent, n.get().stat().getVersion(), deadline) != Code.OK) {
                return;
            }
        }
    }

    private void ensureParents(String path, long deadline) {
        String keys = layout.keysDir();
        int from = keys.length() + 1;
        for (int slash = path.indexOf('/', from); slash > 0; slash = path.indexOf('/', slash + 1)) {
            Code c = zk.create(path.substring(0, slash), new byte[0], CreateMode.PERSISTENT, deadline);
            if (c == Code.NONODE) {
                return; // an ancestor vanished meanwhile (interior cleanup): the next round creates it again
            }
        }
    }
}
