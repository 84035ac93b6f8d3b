package dev.berth.bench.overlay;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Berth plugin calls a dockerd made while the bench watched, read from its log: every managed plugin's stderr
 * lands there, and the plugin host writes one line per call, such as
 * {@code ... dbh.calls:berth-call-26: NetworkDriver.CreateEndpoint 200 14.06ms network=...}.
 */
public final class PluginCalls {
    private static final Pattern CALL =
            Pattern.compile("dbh\\.calls:\\S+ ((?:NetworkDriver|IpamDriver)\\.\\w+) (\\d{3}) ([0-9.]+)ms");

    private final Path log;
    private final long from;

    private PluginCalls(Path log, long from) {
        this.log = log;
        this.from = from;
    }

    /** Starts watching {@code log} from its current end. */
    public static PluginCalls from(Path log) {
        try {
            return new PluginCalls(log, Files.exists(log) ? Files.size(log) : 0);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + log + ": " + e.getMessage(), e);
        }
    }

    /** Per method: how many calls, and their total milliseconds, since {@link #from}. */
    public Map<String, double[]> since() {
        Map<String, double[]> out = new TreeMap<>();
        try (RandomAccessFile f = new RandomAccessFile(log.toFile(), "r")) {
            byte[] b = new byte[(int) Math.max(0, f.length() - from)];
            f.seek(from);
            f.readFully(b);
            Matcher m = CALL.matcher(new String(b, StandardCharsets.UTF_8));
            while (m.find()) {
                double[] sum = out.computeIfAbsent(m.group(1), k -> new double[2]);
                sum[0]++;
                sum[1] += Double.parseDouble(m.group(3));
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + log + ": " + e.getMessage(), e);
        }
        return out;
    }
}
