package dev.berth.kv.zk;

import dev.berth.kv.KvException;
import dev.berth.kv.KvUnavailableException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException.Code;
import org.apache.zookeeper.Op;
import org.apache.zookeeper.OpResult;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Stat;

/**
 * Every ZooKeeper request of the store, each bounded by a deadline. Requests go through ZooKeeper's asynchronous API
 * on the handle Curator currently manages (Curator keeps it connected, re-authenticates it and replaces it after a
 * session expiry); reads are retried on connection loss until the deadline, then raise
 * {@link KvUnavailableException}. Transactions are tried once: only the writer can tell whether repeating one is safe.
 * Nothing here waits longer than the deadline, whatever the server or the network does.
 */
final class ZkCalls {
    /** A znode's data and stat. */
    record Node(byte[] data, Stat stat) {
    }

    /** A transaction's result code, and the per-operation results (null when the connection was lost). */
    record Outcome(Code code, List<OpResult> results) {
        boolean ok() {
            return code == Code.OK;
        }

        /** The index of the operation that made the transaction fail, or -1. */
        int failedOp() {
            if (results == null) {
                return -1;
            }
            for (int i = 0; i < results.size(); i++) {
                if (results.get(i) instanceof OpResult.ErrorResult e && e.getErr() != Code.OK.intValue()
                        && e.getErr() != Code.RUNTIMEINCONSISTENCY.intValue()) {
                    return i;
                }
            }
            return -1;
        }

        Code failedCode() {
            int i = failedOp();
            return i < 0 ? code : Code.get(((OpResult.ErrorResult) results.get(i)).getErr());
        }
    }

    private record Result<T>(Code code, T value) {
    }

    private interface Async<T> {
        void start(ZooKeeper zk, CompletableFuture<Result<T>> done);
    }

    private final CuratorFramework curator;
    private final String where;
    private final Duration timeout;
    private final List<ACL> acl;
    private volatile boolean closed;

    ZkCalls(CuratorFramework curator, String where, Duration timeout, List<ACL> acl) {
        this.curator = curator;
        this.where = where;
        this.timeout = timeout;
        this.acl = List.copyOf(acl);
    }

    Duration timeout() {
        return timeout;
    }

    List<ACL> acl() {
        return acl;
    }

    /** A deadline one call timeout from now (System.nanoTime based). */
    long deadline() {
        return System.nanoTime() + timeout.toNanos();
    }

    void close() {
        closed = true;
    }

    boolean isClosed() {
        return closed;
    }

    Optional<Node> getData(String path, Watcher watcher, long deadline) {
        Result<Node> r = retried("read " + path, deadline, (zk, done) -> zk.getData(path, watcher,
                (rc, p, ctx, data, stat) -> done.complete(new Result<>(Code.get(rc),
                        rc == 0 ? new Node(data == null ? new byte[0] : data, stat) : null)), null));
        return Optional.ofNullable(expect(r, "read " + path, Code.NONODE).value);
    }

    Optional<Stat> exists(String path, Watcher watcher, long deadline) {
        Result<Stat> r = retried("check " + path, deadline, (zk, done) -> zk.exists(path, watcher,
                (rc, p, ctx, stat) -> done.complete(new Result<>(Code.get(rc), stat)), null));
        return Optional.ofNullable(expect(r, "check " + path, Code.NONODE).value);
    }

    Optional<List<String>> children(String path, Watcher watcher, long deadline) {
        Result<List<String>> r = retried("list " + path, deadline, (zk, done) -> zk.getChildren(path, watcher,
                (rc, p, ctx, names) -> done.complete(new Result<>(Code.get(rc), names)), null));
        return Optional.ofNullable(expect(r, "list " + path, Code.NONODE).value);
    }

    /** Creates a znode with the store's ACL; OK, NODEEXISTS, or NONODE (parent missing). */
    Code create(String path, byte[] data, CreateMode mode, long deadline) {
        return create(path, data, mode, acl, deadline);
    }

    Code create(String path, byte[] data, CreateMode mode, List<ACL> acl, long deadline) {
        Result<String> r = retried("create " + path, deadline, (zk, done) -> zk.create(path, data, acl, mode,
                (rc, p, ctx, name) -> done.complete(new Result<>(Code.get(rc), name)), null));
        return expect(r, "create " + path, Code.NODEEXISTS, Code.NONODE).code;
    }

    /** OK, NONODE, BADVERSION or NOTEMPTY. */
    Code delete(String path, int version, long deadline) {
        Result<Void> r = retried("delete " + path, deadline, (zk, done) -> zk.delete(path, version,
                (rc, p, ctx) -> done.complete(new Result<>(Code.get(rc), null)), null));
        return expect(r, "delete " + path, Code.NONODE, Code.BADVERSION, Code.NOTEMPTY).code;
    }

    /** OK, NONODE or BADVERSION. */
    Code setData(String path, byte[] data, int version, long deadline) {
        Result<Stat> r = retried("write " + path, deadline, (zk, done) -> zk.setData(path, data, version,
                (rc, p, ctx, stat) -> done.complete(new Result<>(Code.get(rc), stat)), null));
        return expect(r, "write " + path, Code.NONODE, Code.BADVERSION).code;
    }

    /**
     * Reads many znodes at once (the requests are pipelined on the one connection, answered in order); empty where a
     * znode does not exist.
     */
    List<Optional<Node>> getDataAll(List<String> paths, long deadline) {
        return all(paths, deadline, "read", (zk, path, done) -> zk.getData(path, null,
                (rc, p, ctx, data, stat) -> done.complete(new Result<>(Code.get(rc),
                        rc == 0 ? new Node(data == null ? new byte[0] : data, stat) : null)), null));
    }

    /** The children of many znodes at once; empty where a znode does not exist. */
    List<Optional<List<String>>> childrenAll(List<String> paths, long deadline) {
        return all(paths, deadline, "list", (zk, path, done) -> zk.getChildren(path, null,
                (rc, p, ctx, names) -> done.complete(new Result<>(Code.get(rc), names)), null));
    }

    /** Deletes many znodes at once, whatever their version; a znode already gone is fine. */
    void deleteAll(List<String> paths, long deadline) {
        all(paths, deadline, "delete", (zk, path, done) -> zk.delete(path, -1,
                (rc, p, ctx) -> done.complete(new Result<>(Code.get(rc), null)), null));
    }

    private interface PathAsync<T> {
        void start(ZooKeeper zk, String path, CompletableFuture<Result<T>> done);
    }

    private <T> List<Optional<T>> all(List<String> paths, long deadline, String verb, PathAsync<T> op) {
        String what = verb + " " + paths.size() + " znodes";
        while (true) {
            List<CompletableFuture<Result<T>>> futures = new ArrayList<>(paths.size());
            ZooKeeper zk = handle(what, deadline);
            for (String path : paths) {
                CompletableFuture<Result<T>> done = new CompletableFuture<>();
                futures.add(done);
                op.start(zk, path, done);
            }
            List<Optional<T>> values = new ArrayList<>(paths.size());
            boolean retry = false;
            for (int i = 0; i < futures.size() && !retry; i++) {
                Result<T> r = await(futures.get(i), verb + " " + paths.get(i), deadline);
                retry = transientFailure(r.code);
                if (!retry) {
                    values.add(Optional.ofNullable(expect(r, verb + " " + paths.get(i), Code.NONODE).value));
                }
            }
            if (!retry) {
                return values;
            }
            pause(what, deadline);
        }
    }

    /** One attempt at a transaction; CONNECTIONLOSS and the like come back as the outcome's code. */
    Outcome multi(List<Op> ops, long deadline) {
        String what = "write a transaction of " + ops.size() + " operations";
        ZooKeeper zk = handle(what, deadline);
        CompletableFuture<Result<List<OpResult>>> done = new CompletableFuture<>();
        zk.multi(ops, (rc, p, ctx, results) -> done.complete(new Result<>(Code.get(rc), results)), null);
        Result<List<OpResult>> r = await(done, what, deadline);
        if (r.code == Code.NOAUTH) {
            throw noAuth(what);
        }
        return new Outcome(r.code, r.value);
    }

    /** Sleeps briefly before another attempt; raises {@link KvUnavailableException} if the deadline has passed. */
    void pause(String what, long deadline) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
            throw unavailable(what, null);
        }
        try {
            Thread.sleep(Math.max(1, Math.min(TimeUnit.NANOSECONDS.toMillis(left), 50)));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KvException("interrupted while waiting for ZooKeeper at " + where, e);
        }
    }

    static boolean transientFailure(Code code) {
        return code == Code.CONNECTIONLOSS || code == Code.SESSIONEXPIRED || code == Code.SESSIONMOVED
                || code == Code.OPERATIONTIMEOUT || code == Code.REQUESTTIMEOUT || code == Code.THROTTLEDOP
                || code == Code.NEWCONFIGNOQUORUM;
    }

    KvUnavailableException unavailable(String what, Throwable cause) {
        return new KvUnavailableException("ZooKeeper at " + where + " did not answer (" + what + ") within "
                + timeout.toMillis() + " ms", cause);
    }

    private KvException noAuth(String what) {
        return new KvException("ZooKeeper at " + where + " refused " + what + ": not authorized (check the "
                + "digest=user:password of the store URL against the znodes' ACLs)");
    }

    private <T> Result<T> retried(String what, long deadline, Async<T> op) {
        while (true) {
            ZooKeeper zk = handle(what, deadline);
            CompletableFuture<Result<T>> done = new CompletableFuture<>();
            op.start(zk, done);
            Result<T> r = await(done, what, deadline);
            if (!transientFailure(r.code)) {
                return r;
            }
            pause(what, deadline);
        }
    }

    private <T> Result<T> expect(Result<T> r, String what, Code... allowed) {
        if (r.code == Code.OK) {
            return r;
        }
        for (Code c : allowed) {
            if (r.code == c) {
                return r;
            }
        }
        if (r.code == Code.NOAUTH) {
            throw noAuth(what);
        }
        throw new KvException("ZooKeeper at " + where + " failed to " + what + ": " + r.code);
    }

    private ZooKeeper handle(String what, long deadline) {
        while (true) {
            if (closed) {
                throw new KvException("the ZooKeeper store " + where + " is closed");
            }
            try {
                ZooKeeper zk = curator.getZookeeperClient().getZooKeeper();
                if (zk != null) {
                    return zk;
                }
            } catch (Exception e) {
                if (deadline - System.nanoTime() <= 0) {
                    throw unavailable(what, e);
                }
            }
            pause(what, deadline);
        }
    }

    private <T> T await(CompletableFuture<T> future, String what, long deadline) {
        try {
            return future.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw unavailable(what, null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KvException("interrupted while waiting for ZooKeeper at " + where, e);
        } catch (ExecutionException e) {
            throw new KvException("ZooKeeper at " + where + " failed to " + what, e.getCause());
        }
    }
}
