package dev.berth.exec;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code docker} command aimed at one daemon. Prefers Debian's {@code /usr/bin/docker} (the client that ships with
 * the daemon we run) over whatever else is first on the PATH; {@code BERTH_DOCKER_CLI} overrides both.
 */
public final class DockerCli {
    private final String binary;
    private final String host;

    private DockerCli(String binary, String host) {
        this.binary = binary;
        this.host = host;
    }

    /** A client for the daemon at {@code host} (for example {@code unix:///run/docker.sock}); null means the default. */
    public static DockerCli forHost(String host) {
        return new DockerCli(defaultBinary(), host);
    }

    public String host() {
        return host;
    }

    public Command command(String... args) {
        return command(List.of(args));
    }

    public Command command(List<String> args) {
        List<String> argv = new ArrayList<>();
        argv.add(binary);
        if (host != null && !host.isBlank()) {
            argv.add("-H");
            argv.add(host);
        }
        argv.addAll(args);
        return Command.of(argv).timeout(Duration.ofMinutes(3));
    }

    /** Runs {@code docker args...} and returns its trimmed standard output; throws unless it exits 0. */
    public String check(String... args) {
        return command(args).check().line();
    }

    /** Whether the daemon answers at all. */
    public boolean answers() {
        try {
            return command("version", "--format", "{{.Server.Version}}").timeout(Duration.ofSeconds(10)).run().ok();
        } catch (CommandFailedException e) {
            return false;
        }
    }

    static String defaultBinary() {
        String override = System.getenv("BERTH_DOCKER_CLI");
        if (override != null && !override.isBlank()) {
            return override;
        }
        return Files.isExecutable(Path.of("/usr/bin/docker")) ? "/usr/bin/docker" : "docker";
    }
}
