package dev.berth.cli;

/** Progress lines of the CLI, on standard output. */
final class Output {
    private Output() {
    }

    static void say(String line) {
        System.out.println(line);
        System.out.flush();
    }
}
