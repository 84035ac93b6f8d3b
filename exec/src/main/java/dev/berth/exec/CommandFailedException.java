package dev.berth.exec;

/** A command that could not start, timed out, or (with {@link Command#check()}) exited non-zero. */
public final class CommandFailedException extends RuntimeException {
    private final transient CommandResult result;

    CommandFailedException(Command command, CommandResult result, String reason) {
        super(describe(command, result, reason));
        this.result = result;
    }

    /** The finished command, or null when it never finished. */
    public CommandResult result() {
        return result;
    }

    public int exitCode() {
        return result == null ? -1 : result.exitCode();
    }

    private static String describe(Command command, CommandResult result, String reason) {
        if (result == null) {
            return "`" + command + "` " + reason;
        }
        String err = result.stderr().strip();
        if (err.isEmpty()) {
            err = result.stdout().strip();
        }
        if (err.length() > 2000) {
            err = err.substring(0, 2000) + " ...";
        }
        return "`" + command + "` exited " + result.exitCode() + (err.isEmpty() ? "" : ": " + err);
    }
}
