package dev.berth.wireguard;

import dev.berth.netlink.Netns;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Userspace WireGuard devices: one {@code wireguard-go IFACE} process per device, in a given network namespace (entered
 * with {@code nsenter --net=NS}; none for the caller's own, as the driver runs with the host's network).
 *
 * <p><b>Foreground, not daemonized.</b> wireguard-go daemonizes by default: it re-executes itself and the first
 * process exits, so the caller never learns the PID of the process that holds the device, and the orphan is reaped by
 * init (or not, in a container without one). With {@code WG_PROCESS_FOREGROUND=1} the process started here <em>is</em>
 * the device's process ({@code nsenter} execs it): its PID is known and written to {@code RUNDIR/IFACE.pid}, an early
 * exit is seen at once, and stopping it is a signal to that PID. Its output goes to {@code RUNDIR/IFACE.log}, never a
 * pipe: a Go program dies of SIGPIPE when it writes to a closed stdout, so a pipe would tie the device's life to this
 * JVM's. With a file the device outlives a driver restart, and the new driver finds it by its pidfile.
 *
 * <p><b>Create</b> starts the process and polls the UAPI socket until a {@code get} answers (or the process exits, or
 * the deadline passes; then it is killed and the log's tail reported). <b>Delete</b> sends SIGTERM to the recorded PID
 * (SIGKILL after 5 s): wireguard-go then removes its socket, and the TUN link goes with its process. Without a
 * recorded PID it deletes the socket file, on which wireguard-go exits by itself (it watches the file). A socket
 * left by a killed process is removed.
 */
public final class UserspaceLinks implements WireGuardLinks {
    private static final Duration STOP_GRACE = Duration.ofSeconds(5);

    private final Path binary;
    private final Netns netns;
    private final Path runDir;
    private final UapiControl uapi;
    private final Duration startTimeout;
    private final Map<String, Process> started = new ConcurrentHashMap<>();

    /**
     * @param binary       the wireguard-go executable
     * @param netns        the namespace the devices live in; null for this process's own
     * @param runDir       where pidfiles and logs go (created 0700)
     * @param uapi         the control whose socket directory the binary uses (wireguard-go: /var/run/wireguard)
     * @param startTimeout how long a new device may take to answer
     */
    public UserspaceLinks(Path binary, Netns netns, Path runDir, UapiControl uapi, Duration startTimeout) {
        this.binary = binary;
        this.netns = netns;
        this.runDir = runDir;
        this.uapi = uapi;
        this.startTimeout = startTimeout;
    }

    @Override
    public void create(String iface) {
        String op = "wireguard-go " + iface;
        Path sock = uapi.socket(iface);
        if (uapi.answers(iface)) {
            throw new WireGuardException(WireGuardException.Kind.EXISTS, 17, op, "a daemon already answers on "
                    + sock + " (interface names must be unique on this machine, across namespaces)");
        }
        createRunDir();
        Path log = runDir.resolve(iface + ".log");
        ProcessBuilder pb = new ProcessBuilder(command(iface))
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .redirectErrorStream(true);
        pb.environment().put("WG_PROCESS_FOREGROUND", "1");
        pb.environment().putIfAbsent("LOG_LEVEL", "error");
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new WireGuardException(WireGuardException.Kind.NOT_SUPPORTED, 2, op, "could not start "
                    + String.join(" ", pb.command()) + ": " + e.getMessage(), e);
        }
        started.put(iface, p);
        writePid(iface, p.pid());
        long deadline = System.nanoTime() + startTimeout.toNanos();
        while (true) {
            if (uapi.answers(iface)) {
                return;
            }
            if (!p.isAlive() || System.nanoTime() > deadline) {
                String why = p.isAlive() ? "no answer on " + sock + " within " + startTimeout.toMillis() + " ms"
                        : "it exited with status " + p.exitValue();
                boolean cleaned = stop(iface);
                throw new WireGuardException(WireGuardException.Kind.IO, 0, op, why + "; log " + log + ": "
                        + tail(log) + (cleaned ? "" : " (and it could not be stopped)"));
            }
            sleep(20);
        }
    }

    @Override
    public boolean delete(String iface) {
        boolean had = exists(iface) || started.containsKey(iface) || Files.exists(pidFile(iface));
        if (!had) {
            return false;
        }
        if (!stop(iface)) {
            throw new WireGuardException(WireGuardException.Kind.IO, 0, "wireguard-go " + iface + " stop",
                    "the daemon did not exit");
        }
        return true;
    }

    @Override
    public boolean exists(String iface) {
        return uapi.answers(iface);
    }

    @Override
    public Backend backend() {
        return Backend.USERSPACE;
    }

    /** The PID of the device's process, if this instance or an earlier one (by its pidfile) started it. */
    public Optional<ProcessHandle> process(String iface) {
        Process p = started.get(iface);
        if (p != null && p.isAlive()) {
            return Optional.of(p.toHandle());
        }
        try {
            long pid = Long.parseLong(Files.readString(pidFile(iface), StandardCharsets.US_ASCII).trim());
            return ProcessHandle.of(pid).filter(h -> isOurs(h, iface));
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** Stops the device's process; true when nothing of it is left. */
    private boolean stop(String iface) {
        Optional<ProcessHandle> h = process(iface);
        Path sock = uapi.socket(iface);
        boolean gone = true;
        if (h.isPresent()) {
            gone = terminate(h.get());
        } else if (Files.exists(sock)) {
            deleteQuietly(sock); // wireguard-go watches its socket file and exits when it is removed
            gone = !uapi.answers(iface);
        }
        started.remove(iface);
        if (gone) {
            deleteQuietly(sock); // left behind by a SIGKILL
            deleteQuietly(pidFile(iface));
        }
        return gone;
    }

    private static boolean terminate(ProcessHandle h) {
        h.destroy();
        try {
            h.onExit().get(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (Exception e) {
            h.destroyForcibly();
            try {
                h.onExit().get(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS);
                return true;
            } catch (Exception e2) {
                return !h.isAlive();
            }
        }
    }

    /** A PID from a pidfile is only trusted while it still runs our binary for this interface (PIDs are reused). */
    private boolean isOurs(ProcessHandle h, String iface) {
        try {
            byte[] raw = Files.readAllBytes(Path.of("/proc", Long.toString(h.pid()), "cmdline"));
            List<String> argv = List.of(new String(raw, StandardCharsets.UTF_8).split("\0"));
            return argv.contains(iface) && argv.stream().anyMatch(a -> a.endsWith(binary.getFileName().toString()));
        } catch (IOException e) {
            return false;
        }
    }

    List<String> command(String iface) {
        List<String> argv = new ArrayList<>();
        if (netns != null) {
            Path file = netns.file() != null ? netns.file()
                    : Path.of("/proc", Long.toString(ProcessHandle.current().pid()), "fd",
                            Integer.toString(((Netns.ByFd) netns).fd()));
            argv.add("nsenter");
            argv.add("--net=" + file);
        }
        argv.add(binary.toString());
        argv.add(iface);
        return argv;
    }

    private Path pidFile(String iface) {
        return runDir.resolve(iface + ".pid");
    }

    private void writePid(String iface, long pid) {
        try {
            Files.writeString(pidFile(iface), pid + "\n", StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException("write " + pidFile(iface) + ": " + e.getMessage(), e);
        }
    }

    private void createRunDir() {
        try {
            if (!Files.isDirectory(runDir)) {
                Files.createDirectories(runDir, PosixFilePermissions.asFileAttribute(
                        PosixFilePermissions.fromString("rwx------")));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("create " + runDir + ": " + e.getMessage(), e);
        }
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join(" | ", lines.subList(Math.max(0, lines.size() - 5), lines.size())).trim();
        } catch (IOException e) {
            return "(unreadable: " + e.getMessage() + ")";
        }
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // reported by the caller's next look, if it matters
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new WireGuardException(WireGuardException.Kind.IO, 4, "wireguard-go", "interrupted");
        }
    }
}
