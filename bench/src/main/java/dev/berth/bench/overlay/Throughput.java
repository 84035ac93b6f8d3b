package dev.berth.bench.overlay;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.exec.CommandResult;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * One TCP stream between two containers, with the host's iperf3 in each container's network namespace:
 * <pre>
 * nsenter -t SERVER -n iperf3 -s -1 -p 5201 &amp;
 * nsenter -t CLIENT -n iperf3 -c SERVER_IP -p 5201 -t SECONDS -J
 * </pre>
 * The figure is what the receiver got ({@code end.sum_received.bits_per_second}), in Gbit/s.
 */
public final class Throughput {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PORT = "5201";

    private Throughput() {
    }

    public record Result(double gbits, long retransmits) {
    }

    /**
     * One stream of {@code seconds}; a run iperf3 reports as failed (no receiver figure, an {@code error} in its JSON)
     * is repeated with a fresh server, up to three times in all.
     */
    public static Result measure(Endpoint server, Endpoint client, int seconds) {
        String last = "";
        for (int session = 0; session < 3; session++) {
            String out = once(server, client, seconds);
            Result r = parse(out);
            if (!Double.isNaN(r.gbits()) && r.gbits() > 0) {
                return r;
            }
            last = out;
            System.err.println("bench: iperf3 from " + client.container() + " gave no figure ("
                    + error(out) + "); again");
        }
        throw new IllegalStateException("iperf3 from " + client.container() + " to " + server.ip()
                + " gave no figure three times:\n" + last);
    }

    /** The client's JSON of one run against a one-off server. */
    private static String once(Endpoint server, Endpoint client, int seconds) {
        Process srv;
        try {
            srv = new ProcessBuilder(server.argvInNetns("iperf3", "-s", "-1", "-p", PORT))
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot start iperf3 -s in " + server.container() + ": " + e.getMessage(),
                    e);
        }
        try {
            String last = "";
            for (int attempt = 0; attempt < 25; attempt++) {
                CommandResult r = client.inNetns("iperf3", "-c", server.ip(), "-p", PORT, "-t",
                        Integer.toString(seconds), "-J").timeout(Duration.ofSeconds(seconds + 60L)).run();
                if (r.ok()) {
                    return r.stdout();
                }
                last = r.stdout() + r.stderr();
                if (!srv.isAlive() || !(last.contains("refused") || last.contains("unable to connect"))) {
                    return last;
                }
                sleep(200); // the server is not listening yet
            }
            return last;
        } finally {
            srv.destroy();
            try {
                if (!srv.waitFor(5, TimeUnit.SECONDS)) {
                    srv.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static String error(String json) {
        try {
            return JSON.readTree(json).path("error").asText("no error given");
        } catch (IOException e) {
            return "no JSON";
        }
    }

    static Result parse(String json) {
        try {
            JsonNode end = JSON.readTree(json).path("end");
            double bps = end.path("sum_received").path("bits_per_second").asDouble(Double.NaN);
            long retransmits = end.path("sum_sent").path("retransmits").asLong(-1);
            return new Result(bps / 1e9, retransmits);
        } catch (IOException e) {
            return new Result(Double.NaN, -1);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
