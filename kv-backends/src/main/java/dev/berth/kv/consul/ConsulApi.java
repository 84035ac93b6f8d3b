package dev.berth.kv.consul;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The requests the store makes, as Consul's HTTP API spells them (https://developer.hashicorp.com/consul/api-docs):
 * KV reads, key listings and blocking queries, transactions, sessions, leader status. Pure: no I/O, so every path and parameter is
 * checked by unit tests.
 */
final class ConsulApi {
    private ConsulApi() {
    }

    /** {@code GET /v1/kv/<key>}: 200 with a one-element array, or 404. */
    static ConsulRequest get(String consulKey) {
        return new ConsulRequest("GET", kvPath(consulKey), Map.of(), null);
    }

    /** {@code GET /v1/kv/<prefix>?recurse}: every entry whose key starts with the prefix, and X-Consul-Index. */
    static ConsulRequest list(String consulPrefix) {
        return new ConsulRequest("GET", kvPath(consulPrefix), Map.of("recurse", ""), null);
    }

    /** {@code GET /v1/kv/<prefix>?keys}: the names of the keys under the prefix (no values), or 404. */
    static ConsulRequest keys(String consulPrefix) {
        return new ConsulRequest("GET", kvPath(consulPrefix), Map.of("keys", ""), null);
    }

    /**
     * A blocking query on one key: as {@link #get}, but the agent holds the answer until the key's index exceeds
     * {@code index} or {@code wait} passes. {@code consistent} is not asked for: the default mode reads the leader's
     * state, which is what orders writes.
     */
    static ConsulRequest blockingGet(String consulKey, long index, Duration wait) {
        return new ConsulRequest("GET", kvPath(consulKey), blocking(new LinkedHashMap<>(), index, wait), null);
    }

    /** A blocking query for the key names under a prefix ({@code ?keys&index=N&wait=...}). */
    static ConsulRequest blockingKeys(String consulPrefix, long index, Duration wait) {
        Map<String, String> q = new LinkedHashMap<>();
        q.put("keys", "");
        return new ConsulRequest("GET", kvPath(consulPrefix), blocking(q, index, wait), null);
    }

    private static Map<String, String> blocking(Map<String, String> q, long index, Duration wait) {
        q.put("index", Long.toString(Math.max(index, 1)));
        q.put("wait", Math.max(1, wait.toSeconds()) + "s");
        return q;
    }

    /** {@code PUT /v1/txn}: 200 when every operation applied, 409 when the transaction was rolled back. */
    static ConsulRequest txn(List<TxnOp> ops) {
        if (ops.isEmpty() || ops.size() > 64) {
            throw new IllegalArgumentException("a Consul transaction holds 1 to 64 operations, not " + ops.size());
        }
        return new ConsulRequest("PUT", "/v1/txn", Map.of(), ConsulJson.txnBody(ops));
    }

    /**
     * {@code PUT /v1/session/create}: a session with a TTL whose keys are deleted when it is invalidated
     * ({@code Behavior=delete}), with no lock delay (so a key of a dead session can be taken again at once).
     */
    static ConsulRequest createSession(String name, Duration ttl) {
        return new ConsulRequest("PUT", "/v1/session/create", Map.of(), ConsulJson.sessionBody(name, ttl));
    }

    static ConsulRequest renewSession(String id) {
        return new ConsulRequest("PUT", "/v1/session/renew/" + checkId(id), Map.of(), null);
    }

    static ConsulRequest destroySession(String id) {
        return new ConsulRequest("PUT", "/v1/session/destroy/" + checkId(id), Map.of(), null);
    }

    /** {@code GET /v1/status/leader}: the leader's address, or "" when the cluster has none. */
    static ConsulRequest leader() {
        return new ConsulRequest("GET", "/v1/status/leader", Map.of(), null);
    }

    static String kvPath(String consulKey) {
        for (int i = 0; i < consulKey.length(); i++) {
            char c = consulKey.charAt(i);
            if (!(Character.isLetterOrDigit(c) && c < 128) && "._:@=+,-/".indexOf(c) < 0) {
                throw new IllegalArgumentException("Consul key '" + consulKey + "' has a character the store does "
                        + "not send unescaped: '" + c + "'");
            }
        }
        return "/v1/kv/" + consulKey;
    }

    private static String checkId(String id) {
        if (!id.matches("[0-9a-fA-F-]{1,64}")) {
            throw new IllegalArgumentException("not a Consul session id: " + id);
        }
        return id;
    }
}
