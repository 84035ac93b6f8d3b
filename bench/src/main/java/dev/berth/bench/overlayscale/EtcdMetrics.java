package dev.berth.bench.overlayscale;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * etcd's own counters ({@code GET /metrics} on a client URL), for what the clients cannot see: lease keep-alives
 * (sent by the store's scheduler below the KvStore interface) and the revisions writes really took.
 */
public final class EtcdMetrics {
    public static final String KEEPALIVES = "etcd_debugging_lease_renewed_total";
    public static final String REVISION = "etcd_debugging_mvcc_current_revision";
    public static final String PUTS = "etcd_debugging_mvcc_put_total";
    public static final String DELETES = "etcd_debugging_mvcc_delete_total";
    public static final String TXNS = "etcd_debugging_mvcc_txn_total";

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
    private final URI uri;

    /** {@code endpoint} is host:port of a member (plain HTTP). */
    public EtcdMetrics(String endpoint) {
        this.uri = URI.create("http://" + endpoint + "/metrics");
    }

    /** Every un-labelled sample, by name; empty if the member does not answer. */
    public Optional<Map<String, Double>> read() {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                return Optional.empty();
            }
            Map<String, Double> out = new HashMap<>();
            for (String line : r.body().split("\n")) {
                if (line.startsWith("#") || line.contains("{")) {
                    continue;
                }
                String[] f = line.trim().split("\\s+");
                if (f.length == 2) {
                    try {
                        out.put(f[0], Double.parseDouble(f[1]));
                    } catch (NumberFormatException ignored) {
                        // not a sample
                    }
                }
            }
            return Optional.of(out);
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    /** {@code after - before} for one counter; NaN when either is missing. */
    public static double delta(Optional<Map<String, Double>> before, Optional<Map<String, Double>> after,
                               String name) {
        if (before.isEmpty() || after.isEmpty()) {
            return Double.NaN;
        }
        Double a = after.get().get(name);
        Double b = before.get().get(name);
        return a == null || b == null ? Double.NaN : a - b;
    }
}
