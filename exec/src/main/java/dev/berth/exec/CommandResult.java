package dev.berth.exec;

import java.time.Duration;

/** What a finished command left: its exit code, its output and how long it took. */
public record CommandResult(Command command, int exitCode, String stdout, String stderr, Duration took) {
    public boolean ok() {
        return exitCode == 0;
    }

    /** Standard output without the trailing newline. */
    public String line() {
        return stdout.strip();
    }
}
