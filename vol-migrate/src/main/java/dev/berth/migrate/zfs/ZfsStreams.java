package dev.berth.migrate.zfs;

import dev.berth.exec.Command;
import dev.berth.exec.CommandFailedException;
import dev.berth.exec.CommandResult;
import dev.berth.migrate.MigrationException;
import dev.berth.migrate.MigrationException.Kind;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@link SnapshotStreams} through the {@code zfs} command, run by argument vector (never a shell). The stream
 * itself flows through the child's stdout ({@code send}) or stdin ({@code recv}); stderr becomes the message of a
 * typed {@link MigrationException}.
 *
 * <p>Streams have no overall time limit (a large volume takes what it takes): close the other end to abort one.
 * After its input ended, a receive gets {@code finishTimeout} to commit. Short queries ({@code get}, {@code list})
 * get {@code timeout} each.
 *
 * <p>zfs-fuse 0.7 has {@code send -i/-I} and {@code recv -F} but none of {@code send -n -v -P -c -w -L -e -t} nor
 * {@code recv -s}; see {@link #estimateBytes} and {@link #supportsResumableReceive()} for what that changes.
 */
public final class ZfsStreams implements SnapshotStreams {
    private static final int BUFFER = 128 * 1024;
    private static final String PROBE_DATASET = "berth-probe-no-such-pool/x";
    private final String binary;
    private final Duration timeout;
    private final Duration finishTimeout;
    private volatile Boolean dryRunSend;
    private volatile Boolean resumable;

    /**
     * @param binary        the {@code zfs} command, for example {@code zfs} or {@code /sbin/zfs}
     * @param timeout       limit of each short query
     * @param finishTimeout how long a receive may take to commit once its input ended
     */
    public ZfsStreams(String binary, Duration timeout, Duration finishTimeout) {
        this.binary = binary;
        this.timeout = timeout;
        this.finishTimeout = finishTimeout;
    }

    /** {@code zfs} from the PATH; 60 s per query, 10 min to commit a receive. */
    public static ZfsStreams standard() {
        return new ZfsStreams("zfs", Duration.ofSeconds(60), Duration.ofMinutes(10));
    }

    @Override
    public long send(String snapshot, String fromOrNull, OutputStream out) {
        List<String> argv = new ArrayList<>(List.of(binary, "send"));
        if (fromOrNull != null) {
            argv.add("-i");
            argv.add(fromOrNull);
        }
        argv.add(snapshot);
        Process p = start(argv, ProcessBuilder.Redirect.from(new java.io.File("/dev/null")),
                ProcessBuilder.Redirect.PIPE);
        Drain err = new Drain(p.getErrorStream());
        long n = 0;
        byte[] buf = new byte[BUFFER];
        try (InputStream in = p.getInputStream()) {
            int r;
            while ((r = in.read(buf)) > 0) {
                try {
                    out.write(buf, 0, r);
                } catch (IOException e) {
                    kill(p);
                    throw new MigrationException(Kind.TRUNCATED, "send of " + snapshot + " stopped after " + n
                            + " bytes: the receiving side went away (" + e.getMessage() + ")", e);
                }
                n += r;
            }
        } catch (IOException e) {
            kill(p);
            throw new MigrationException(Kind.INTERNAL, "reading zfs send of " + snapshot + ": " + e.getMessage(), e);
        }
        int code = waitFor(p, finishTimeout, "zfs send " + snapshot);
        if (code != 0) {
            throw ZfsStreamErrors.of("zfs send " + snapshot, code, err.text());
        }
        return n;
    }

    @Override
    public long receive(String dataset, InputStream in, boolean force) {
        List<String> argv = new ArrayList<>(List.of(binary, "recv"));
        if (force) {
            argv.add("-F");
        }
        argv.add(dataset);
        Process p = start(argv, ProcessBuilder.Redirect.PIPE, ProcessBuilder.Redirect.DISCARD);
        Drain err = new Drain(p.getErrorStream());
        long n = 0;
        IOException inputFailure = null;
        byte[] buf = new byte[BUFFER];
        try (OutputStream toZfs = p.getOutputStream()) {
            while (true) {
                int r;
                try {
                    r = in.read(buf);
                } catch (IOException e) {
                    inputFailure = e; // closing stdin now makes zfs see a stream that stopped early
                    break;
                }
                if (r < 0) {
                    break;
                }
                try {
                    toZfs.write(buf, 0, r);
                } catch (IOException e) {
                    break; // zfs stopped reading: it failed, and says why on stderr
                }
                n += r;
            }
        } catch (IOException e) {
            // closing stdin of a zfs that already exited: its exit code tells
        }
        int code = waitFor(p, finishTimeout, "zfs recv " + dataset);
        if (code == 0) {
            return n; // zfs saw the stream's end record: the snapshot is complete whatever the transport said
        }
        if (inputFailure != null) {
            throw new MigrationException(Kind.TRUNCATED, "receive into " + dataset + " stopped after " + n
                    + " bytes (" + inputFailure.getMessage() + "); " + dataset + " stays at its last complete snapshot ("
                    + err.text().strip().replace('\n', ' ') + ")", inputFailure);
        }
        throw ZfsStreamErrors.of("zfs recv " + dataset, code, err.text());
    }

    @Override
    public long guid(String snapshot) {
        String v = query(List.of(binary, "get", "-H", "-p", "-o", "value", "guid", snapshot)).strip();
        try {
            return Long.parseUnsignedLong(v);
        } catch (NumberFormatException e) {
            throw new MigrationException(Kind.INTERNAL, "guid of " + snapshot + " is not a number: " + v, e);
        }
    }

    /**
     * {@code zfs get -H -p -o name,value -r -d 1 guid DATASET}, its snapshots kept: zfs-fuse has no {@code list -p},
     * and {@code list -o guid} shows a rounded number there. zfs lists a dataset's snapshots in creation order.
     */
    @Override
    public List<SnapshotId> snapshots(String dataset) {
        CommandResult r = Command.of(binary, "get", "-H", "-p", "-o", "name,value", "-r", "-d", "1", "guid", dataset)
                .timeout(timeout).run();
        if (!r.ok()) {
            MigrationException e = ZfsStreamErrors.of("zfs get guid " + dataset, r.exitCode(), r.stderr());
            if (e.kind() == Kind.NOT_FOUND) {
                return List.of();
            }
            throw e;
        }
        List<SnapshotId> out = new ArrayList<>();
        for (String line : r.stdout().split("\n")) {
            String[] cols = line.split("\t");
            if (line.isBlank() || !cols[0].startsWith(dataset + "@")) {
                continue; // the dataset itself, or a child's snapshot
            }
            if (cols.length != 2) {
                throw new MigrationException(Kind.INTERNAL, "unexpected zfs get line: " + line);
            }
            try {
                out.add(new SnapshotId(cols[0], Long.parseUnsignedLong(cols[1].strip())));
            } catch (NumberFormatException e) {
                throw new MigrationException(Kind.INTERNAL, "guid of " + cols[0] + " is not a number: " + cols[1], e);
            }
        }
        return out;
    }

    /**
     * OpenZFS: the size {@code zfs send -nvP} announces (exact). zfs-fuse has no dry run, so: for a full stream the
     * snapshot's {@code referenced} bytes (the data without the stream's few percent of headers: a slight
     * under-estimate); for an incremental, where no property tells the delta (zfs-fuse has no {@code written@}), a
     * real send counted into a null stream: exact, at the cost of reading the delta once.
     */
    @Override
    public long estimateBytes(String snapshot, String fromOrNull) {
        if (!Boolean.FALSE.equals(dryRunSend)) {
            List<String> argv = new ArrayList<>(List.of(binary, "send", "-n", "-v", "-P"));
            if (fromOrNull != null) {
                argv.add("-i");
                argv.add(fromOrNull);
            }
            argv.add(snapshot);
            CommandResult r = Command.of(argv).timeout(timeout).run();
            if (r.ok()) {
                dryRunSend = true;
                return parseDryRunSize(r.stdout() + "\n" + r.stderr());
            }
            MigrationException e = ZfsStreamErrors.of("zfs send -nvP " + snapshot, r.exitCode(), r.stderr());
            if (e.kind() != Kind.UNSUPPORTED) {
                throw e;
            }
            dryRunSend = false;
        }
        if (fromOrNull == null) {
            String v = query(List.of(binary, "get", "-H", "-p", "-o", "value", "referenced", snapshot)).strip();
            return Long.parseLong(v);
        }
        return send(snapshot, fromOrNull, OutputStream.nullOutputStream());
    }

    /** The {@code size} line of {@code send -nvP} output: {@code size\t12345}. */
    static long parseDryRunSize(String output) {
        long size = -1;
        for (String line : output.split("\n")) {
            String[] cols = line.strip().split("\\s+");
            if (cols.length == 2 && cols[0].equals("size")) {
                size = Long.parseLong(cols[1]);
            }
        }
        if (size < 0) {
            throw new MigrationException(Kind.INTERNAL, "no size in zfs send -nvP output: " + output.strip());
        }
        return size;
    }

    /**
     * OpenZFS takes {@code recv -s} (on a missing dataset it then fails for another reason); zfs-fuse refuses the
     * flag itself with exit 2 "invalid option". One call, remembered once conclusive.
     */
    @Override
    public boolean supportsResumableReceive() {
        Boolean known = resumable;
        if (known != null) {
            return known;
        }
        CommandResult r = Command.of(binary, "recv", "-s", PROBE_DATASET).timeout(timeout).run();
        Kind kind = ZfsStreamErrors.classify(r.exitCode(), r.stderr());
        if (kind == Kind.UNAVAILABLE) {
            throw ZfsStreamErrors.of("zfs recv -s (probe)", r.exitCode(), r.stderr());
        }
        boolean value = !(r.exitCode() == 2 && r.stderr().contains("invalid option"));
        resumable = value;
        return value;
    }

    private String query(List<String> argv) {
        CommandResult r;
        try {
            r = Command.of(argv).timeout(timeout).run();
        } catch (CommandFailedException e) {
            throw new MigrationException(Kind.UNAVAILABLE, e.getMessage(), e);
        }
        if (!r.ok()) {
            throw ZfsStreamErrors.of("zfs " + argv.get(1) + " " + argv.get(argv.size() - 1), r.exitCode(), r.stderr());
        }
        return r.stdout();
    }

    private static Process start(List<String> argv, ProcessBuilder.Redirect stdin, ProcessBuilder.Redirect stdout) {
        try {
            return new ProcessBuilder(argv).redirectInput(stdin).redirectOutput(stdout).start();
        } catch (IOException e) {
            throw new MigrationException(Kind.UNAVAILABLE, "could not start " + argv.get(0) + ": " + e.getMessage(),
                    e);
        }
    }

    private static int waitFor(Process p, Duration limit, String what) {
        try {
            if (!p.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
                kill(p);
                throw new MigrationException(Kind.UNAVAILABLE, what + " did not finish within " + limit.toSeconds()
                        + " s");
            }
            return p.exitValue();
        } catch (InterruptedException e) {
            kill(p);
            Thread.currentThread().interrupt();
            throw new MigrationException(Kind.INTERNAL, what + " interrupted", e);
        }
    }

    private static void kill(Process p) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        try {
            p.waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Reads a child's stderr on its own thread so that it never blocks on a full pipe. */
    private static final class Drain {
        private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        private final Thread thread;

        Drain(InputStream in) {
            thread = new Thread(() -> {
                try (in) {
                    in.transferTo(buffer);
                } catch (IOException ignored) {
                    // the child went away; what it wrote so far is kept
                }
            }, "zfs-stderr");
            thread.setDaemon(true);
            thread.start();
        }

        String text() {
            try {
                thread.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            synchronized (buffer) {
                return buffer.toString(StandardCharsets.UTF_8);
            }
        }
    }
}
