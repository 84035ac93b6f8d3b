package dev.berth.bench.overlayscale;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The kernel's FDB notifications of every simulated host, as {@code bridge -n NS monitor fdb} prints them, kept as
 * the set of remote MACs on the host's VXLAN device (entries with a {@code dst}): an exact time for each change at
 * no polling cost. Dumping 50 FDBs of up to 5,000 entries every 50 ms instead would cost a core of this 2-core
 * machine (about 10 ms per dump when idle, 20 ms under load) and blur the result by as much. The notifications only
 * say when to look: {@link FdbWatch} confirms each count with a netlink dump, and a host whose monitor reported an
 * overrun (lost notifications) is polled instead.
 */
public final class FdbEvents implements AutoCloseable {
    private final List<Process> processes = new ArrayList<>();
    private final Host[] hosts;

    /** One host's view: remote MACs now, when it last changed, and whether notifications were lost. */
    static final class Host {
        private final Set<String> macs = new HashSet<>();
        private long changedAt = System.nanoTime();
        private boolean lost;

        synchronized int count() {
            return macs.size();
        }

        synchronized long changedAt() {
            return changedAt;
        }

        synchronized boolean lost() {
            return lost;
        }

        private synchronized void line(String line) {
            int dev = line.indexOf(" dev vx");
            if (dev < 0 || !line.contains(" dst ")) {
                if (line.toLowerCase(java.util.Locale.ROOT).contains("overrun")
                        || line.toLowerCase(java.util.Locale.ROOT).contains("no buffer")) {
                    lost = true;
                }
                return;
            }
            boolean deleted = line.startsWith("Deleted ");
            String mac = line.substring(deleted ? "Deleted ".length() : 0, dev).trim();
            if (deleted) {
                macs.remove(mac);
            } else {
                macs.add(mac);
            }
            changedAt = System.nanoTime();
        }
    }

    public FdbEvents(int count) {
        hosts = new Host[count + 1];
        try {
            for (int i = 1; i <= count; i++) {
                hosts[i] = new Host();
                Process p = new ProcessBuilder("bridge", "-n", SimUnderlay.namespace(i), "monitor", "fdb")
                        .redirectErrorStream(true).start();
                processes.add(p);
                Host h = hosts[i];
                Thread reader = new Thread(() -> read(p, h), "fdb-monitor-" + i);
                reader.setDaemon(true);
                reader.start();
            }
        } catch (IOException e) {
            close();
            throw new java.io.UncheckedIOException("cannot start bridge monitor", e);
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    Host host(int i) {
        return hosts[i];
    }

    private static void read(Process p, Host h) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(),
                StandardCharsets.UTF_8))) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                h.line(line);
            }
        } catch (IOException e) {
            // the monitor was stopped
        }
        synchronized (h) {
            h.lost = true; // no more notifications: poll from now on
        }
    }

    @Override
    public void close() {
        for (Process p : processes) {
            p.destroy();
        }
        for (Process p : processes) {
            try {
                p.waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
