package dev.berth.kv.consul;

import dev.berth.kv.KvException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The few KV calls the store makes, each within the call timeout (blocking queries: their wait plus the timeout),
 * with Consul's answers turned into entries: a missing key or an empty prefix is an empty answer, not an error.
 */
final class KvCalls {
    /** A read and the X-Consul-Index it came with (what a blocking query waits past). */
    record Read<T>(T value, long index) {
    }

    /** A transaction's outcome: applied (200) or rolled back (409), with Consul's per-operation answer. */
    record TxnResult(boolean applied, ConsulJson.TxnAnswer answer) {
    }

    private final ConsulHttp http;
    private final ConsulConfig config;

    KvCalls(ConsulHttp http, ConsulConfig config) {
        this.http = http;
        this.config = config;
    }

    Duration timeout() {
        return config.callTimeout();
    }

    Optional<KvEntry> get(String consulKey) {
        return get(consulKey, 0).value();
    }

    /** A GET of one key; with {@code index > 0} a blocking query that returns once the key's index exceeds it. */
    Read<Optional<KvEntry>> get(String consulKey, long index) {
        ConsulHttp.Answer a = index > 0
                ? http.read(ConsulApi.blockingGet(consulKey, index, config.watchWait()), blockingBudget())
                : http.read(ConsulApi.get(consulKey), config.callTimeout());
        if (a.status() == 404) {
            return new Read<>(Optional.empty(), a.index());
        }
        return new Read<>(ConsulJson.entries(a.body()).stream().filter(e -> e.key().equals(consulKey)).findFirst(),
                a.index());
    }

    /** Every entry whose key starts with the prefix ({@code ?recurse}). */
    List<KvEntry> recurse(String consulPrefix) {
        ConsulHttp.Answer a = http.read(ConsulApi.list(consulPrefix), config.callTimeout());
        return a.status() == 404 ? List.of() : ConsulJson.entries(a.body());
    }

    /** The key names under a prefix ({@code ?keys}); with {@code index > 0} a blocking query. */
    Read<List<String>> keys(String consulPrefix, long index) {
        ConsulHttp.Answer a = index > 0
                ? http.read(ConsulApi.blockingKeys(consulPrefix, index, config.watchWait()), blockingBudget())
                : http.read(ConsulApi.keys(consulPrefix), config.callTimeout());
        return new Read<>(a.status() == 404 ? List.of() : ConsulJson.keyNames(a.body()), a.index());
    }

    /**
     * Sends a transaction once. It throws {@link dev.berth.kv.KvUnavailableException} when the answer was lost (the
     * transaction may have been applied); the writer decides whether resending is safe.
     */
    TxnResult txn(List<TxnOp> ops) {
        ConsulHttp.Answer a = http.write(ConsulApi.txn(ops), config.callTimeout());
        if (a.status() != 200 && a.status() != 409) {
            throw new KvException("Consul answered HTTP " + a.status() + " to a transaction");
        }
        return new TxnResult(a.status() == 200, ConsulJson.txnAnswer(a.body()));
    }

    /** Consul adds up to wait/16 of jitter to a blocking query; the call timeout covers the rest. */
    private Duration blockingBudget() {
        return config.watchWait().plus(config.watchWait().dividedBy(16)).plus(config.callTimeout());
    }
}
