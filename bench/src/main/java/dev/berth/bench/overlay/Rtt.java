package dev.berth.bench.overlay;

import dev.berth.exec.CommandResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Round-trip times from one container to another, with the host's iputils ping in the sender's network namespace.
 * Equivalent to: {@code nsenter -t PID -n ping -n -c COUNT -i 0.01 ADDRESS}, one figure per reply.
 */
public final class Rtt {
    private static final Pattern TIME = Pattern.compile("bytes from .* time=([0-9.]+) ms");

    private Rtt() {
    }

    /** Every reply's RTT in milliseconds; fails when more than a tenth of the probes went unanswered. */
    public static List<Double> measure(Endpoint from, String address, int count) {
        CommandResult r = from.inNetns("ping", "-n", "-c", Integer.toString(count), "-i", "0.01", address)
                .timeout(Duration.ofSeconds(count / 50 + 60L)).run();
        List<Double> rtts = parse(r.stdout());
        if (rtts.size() < count * 9 / 10) {
            throw new IllegalStateException("ping from " + from.container() + " to " + address + ": only "
                    + rtts.size() + " of " + count + " replies:\n" + r.stdout() + r.stderr());
        }
        return rtts;
    }

    static List<Double> parse(String out) {
        List<Double> rtts = new ArrayList<>();
        Matcher m = TIME.matcher(out);
        while (m.find()) {
            rtts.add(Double.parseDouble(m.group(1)));
        }
        return rtts;
    }
}
