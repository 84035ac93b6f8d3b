package dev.berth.lab;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Starts a long-running background process that outlives the JVM: its own session ({@code setsid}, so a Ctrl-C in the
 * terminal that ran {@code berth lab up} does not reach it), standard input from {@code /dev/null}, standard output
 * and error appended to a log file. Nothing waits on it; {@link Cleanup} ends it by PID.
 */
final class Daemon {
    private Daemon() {
    }

    /**
     * Equivalent to: {@code setsid argv... </dev/null >>log 2>&1 &}. {@code setsid} execs in place (a child of the
     * JVM is never a process-group leader), so the returned PID is the daemon's own once the argv has exec'd through.
     */
    static long launch(List<String> argv, Path log) {
        List<String> full = new ArrayList<>(List.of("setsid"));
        full.addAll(argv);
        ProcessBuilder pb = new ProcessBuilder(full)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        try {
            return pb.start().pid();
        } catch (IOException e) {
            throw new LabException("could not start " + String.join(" ", argv) + ": " + e.getMessage(), e);
        }
    }

    /** The last {@code lines} lines of a log, for error messages; a note when there is none. */
    static String tail(Path log, int lines) {
        try {
            List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(no log at " + log + ": " + e.getMessage() + ")";
        }
    }
}
