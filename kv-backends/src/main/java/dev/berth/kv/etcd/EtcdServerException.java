package dev.berth.kv.etcd;

import dev.berth.kv.KvException;

/**
 * etcd answered with an error: its gRPC status code and message ("etcdserver: requested lease not found", code 5).
 * What each means for a retry is decided here, in one place.
 */
final class EtcdServerException extends KvException {
    static final int INVALID_ARGUMENT = 3;
    static final int DEADLINE_EXCEEDED = 4;
    static final int NOT_FOUND = 5;
    static final int OUT_OF_RANGE = 11;
    static final int UNAVAILABLE = 14;
    static final int UNAUTHENTICATED = 16;

    private final int code;

    EtcdServerException(int code, String message) {
        super(message);
        this.code = code;
    }

    int code() {
        return code;
    }

    /** The auth token expired or is unknown to this member: authenticate again and retry. */
    boolean invalidToken() {
        return code == UNAUTHENTICATED || getMessage().contains("invalid auth token");
    }

    /** The member cannot serve now (no leader, overloaded, timed out): another member may. */
    boolean retryable() {
        return code == UNAVAILABLE || code == DEADLINE_EXCEEDED;
    }

    /** Transient, and certain the request was not applied: safe to send a non-idempotent request elsewhere. */
    boolean notApplied() {
        String m = getMessage();
        return retryable() && (m.contains("no leader") || m.contains("too many requests")
                || m.contains("not capable"));
    }

    boolean leaseNotFound() {
        return code == NOT_FOUND && getMessage().contains("lease not found");
    }

    boolean compacted() {
        return code == OUT_OF_RANGE && getMessage().contains("compacted");
    }

    /** Auth is enabled on the server but this client sent no token. */
    boolean authRequired() {
        return code == INVALID_ARGUMENT && getMessage().contains("user name is empty");
    }
}
