package dev.berth.exec;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * An external command run by argument vector, never through a shell. Immutable: each {@code with*} returns a copy.
 *
 * <pre>{@code
 * CommandResult r = Command.of("ip", "netns", "add", "h1").timeout(Duration.ofSeconds(10)).run();
 * String out = Command.of("zfs", "list", "-H").check().stdout();
 * }</pre>
 */
public final class Command {
    private static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(2);

    private final List<String> argv;
    private final Duration timeout;
    private final Path directory;
    private final Map<String, String> environment;
    private final byte[] stdin;
    private final Path stdoutFile;

    private Command(List<String> argv, Duration timeout, Path directory, Map<String, String> environment, byte[] stdin,
                    Path stdoutFile) {
        if (argv.isEmpty()) {
            throw new IllegalArgumentException("a command needs at least the program name");
        }
        this.argv = List.copyOf(argv);
        this.timeout = timeout;
        this.directory = directory;
        this.environment = Map.copyOf(environment);
        this.stdin = stdin;
        this.stdoutFile = stdoutFile;
    }

    public static Command of(String... argv) {
        return of(List.of(argv));
    }

    public static Command of(List<String> argv) {
        return new Command(argv, DEFAULT_TIMEOUT, null, Map.of(), null, null);
    }

    public Command timeout(Duration value) {
        return new Command(argv, value, directory, environment, stdin, stdoutFile);
    }

    public Command directory(Path value) {
        return new Command(argv, timeout, value, environment, stdin, stdoutFile);
    }

    /** Adds variables to the inherited environment. */
    public Command env(Map<String, String> extra) {
        Map<String, String> merged = new LinkedHashMap<>(environment);
        merged.putAll(extra);
        return new Command(argv, timeout, directory, merged, stdin, stdoutFile);
    }

    public Command stdin(byte[] input) {
        return new Command(argv, timeout, directory, environment, input.clone(), stdoutFile);
    }

    /** Sends standard output to a file instead of memory (for large outputs such as tar streams). */
    public Command stdoutTo(Path file) {
        return new Command(argv, timeout, directory, environment, stdin, file);
    }

    public List<String> argv() {
        return argv;
    }

    /** Runs the command and returns whatever it exited with; throws only when it could not be started or timed out. */
    public CommandResult run() {
        ProcessBuilder pb = new ProcessBuilder(argv);
        if (directory != null) {
            pb.directory(directory.toFile());
        }
        pb.environment().putAll(environment);
        if (stdoutFile != null) {
            pb.redirectOutput(stdoutFile.toFile());
        }
        if (stdin == null) {
            pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        }
        long started = System.nanoTime();
        Process process;
        try {
            process = pb.start();
        } catch (IOException e) {
            throw new CommandFailedException(this, null, "could not start: " + e.getMessage());
        }
        StreamCollector out = stdoutFile == null ? new StreamCollector(process.getInputStream()) : null;
        StreamCollector err = new StreamCollector(process.getErrorStream());
        try {
            if (stdin != null) {
                try (var in = process.getOutputStream()) {
                    in.write(stdin);
                }
            }
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
                throw new CommandFailedException(this, null, "timed out after " + timeout.toSeconds() + " s");
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new CommandFailedException(this, null, "interrupted");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        return new CommandResult(this, process.exitValue(), out == null ? "" : out.text(), err.text(), took);
    }

    /** Runs the command and throws {@link CommandFailedException} unless it exits 0. */
    public CommandResult check() {
        CommandResult result = run();
        if (result.exitCode() != 0) {
            throw new CommandFailedException(this, result, null);
        }
        return result;
    }

    @Override
    public String toString() {
        List<String> shown = new ArrayList<>();
        for (String a : argv) {
            shown.add(a.isEmpty() || a.chars().anyMatch(c -> c == ' ' || c == '\'' || c == '"') ? "'" + a + "'" : a);
        }
        return String.join(" ", shown);
    }

    /** Drains a stream on its own thread so that a chatty child never blocks on a full pipe. */
    private static final class StreamCollector {
        private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        private final Thread thread;

        StreamCollector(InputStream in) {
            thread = new Thread(() -> {
                try (in) {
                    in.transferTo(buffer);
                } catch (IOException ignored) {
                    // the process went away; what was read so far is kept
                }
            }, "exec-drain");
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
