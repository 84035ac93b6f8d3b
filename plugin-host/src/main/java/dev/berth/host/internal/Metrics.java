package dev.berth.host.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Call counters and latency histograms per protocol method, rendered in Prometheus' text format. The set of method
 * labels is closed (the routes served, Plugin.Activate and "unknown"), so hostile paths cannot grow memory.
 */
public final class Metrics {
    static final String UNKNOWN = "unknown";
    private static final double[] BUCKETS = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5,
        5, 10, 30, 60, 120};

    private final Map<String, MethodStats> byMethod = new ConcurrentHashMap<>();

    public Metrics(Iterable<String> methods) {
        for (String m : methods) {
            byMethod.put(m, new MethodStats());
        }
        byMethod.put("Plugin.Activate", new MethodStats());
        byMethod.put(UNKNOWN, new MethodStats());
    }

    void record(String method, int status, long nanos) {
        MethodStats s = byMethod.getOrDefault(method, byMethod.get(UNKNOWN));
        s.calls.increment();
        if (status >= 400) {
            s.errors.increment();
        }
        s.sumNanos.add(nanos);
        double seconds = nanos / 1e9;
        for (int i = 0; i < BUCKETS.length; i++) {
            if (seconds <= BUCKETS[i]) {
                s.buckets[i].increment();
                break;
            }
        }
    }

    public long calls(String method) {
        MethodStats s = byMethod.get(method);
        return s == null ? 0 : s.calls.sum();
    }

    public long errors(String method) {
        MethodStats s = byMethod.get(method);
        return s == null ? 0 : s.errors.sum();
    }

    public String render() {
        StringBuilder sb = new StringBuilder(4096);
        Map<String, MethodStats> sorted = new TreeMap<>(byMethod);
        sb.append("# HELP berth_plugin_calls_total Plugin protocol calls, by method.\n");
        sb.append("# TYPE berth_plugin_calls_total counter\n");
        sorted.forEach((m, s) -> line(sb, "berth_plugin_calls_total", m, null, s.calls.sum()));
        sb.append("# HELP berth_plugin_errors_total Plugin protocol calls answered with an error status, by method.\n");
        sb.append("# TYPE berth_plugin_errors_total counter\n");
        sorted.forEach((m, s) -> line(sb, "berth_plugin_errors_total", m, null, s.errors.sum()));
        sb.append("# HELP berth_plugin_call_duration_seconds Time to answer a plugin protocol call, by method.\n");
        sb.append("# TYPE berth_plugin_call_duration_seconds histogram\n");
        sorted.forEach((m, s) -> {
            long cumulative = 0;
            for (int i = 0; i < BUCKETS.length; i++) {
                cumulative += s.buckets[i].sum();
                line(sb, "berth_plugin_call_duration_seconds_bucket", m, format(BUCKETS[i]), cumulative);
            }
            line(sb, "berth_plugin_call_duration_seconds_bucket", m, "+Inf", s.calls.sum());
            sb.append("berth_plugin_call_duration_seconds_sum{method=\"").append(m).append("\"} ")
                    .append(format(s.sumNanos.sum() / 1e9)).append('\n');
            line(sb, "berth_plugin_call_duration_seconds_count", m, null, s.calls.sum());
        });
        long rss = residentBytes();
        if (rss > 0) {
            sb.append("# HELP process_resident_memory_bytes Resident memory size in bytes.\n");
            sb.append("# TYPE process_resident_memory_bytes gauge\n");
            sb.append("process_resident_memory_bytes ").append(rss).append('\n');
        }
        return sb.toString();
    }

    private static void line(StringBuilder sb, String name, String method, String le, long value) {
        sb.append(name).append("{method=\"").append(method).append('"');
        if (le != null) {
            sb.append(",le=\"").append(le).append('"');
        }
        sb.append("} ").append(value).append('\n');
    }

    private static String format(double d) {
        return String.format(Locale.ROOT, "%s", d);
    }

    /** Resident set size from /proc/self/statm (pages); 0 where /proc is absent. */
    static long residentBytes() {
        try {
            String[] f = Files.readString(Path.of("/proc/self/statm")).trim().split("\\s+");
            return Long.parseLong(f[1]) * 4096L;
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    private static final class MethodStats {
        final LongAdder calls = new LongAdder();
        final LongAdder errors = new LongAdder();
        final LongAdder sumNanos = new LongAdder();
        final LongAdder[] buckets = new LongAdder[BUCKETS.length];

        MethodStats() {
            for (int i = 0; i < buckets.length; i++) {
                buckets[i] = new LongAdder();
            }
        }
    }
}
