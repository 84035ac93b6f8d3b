package dev.berth.cli;

import dev.berth.exec.Command;
import dev.berth.exec.DockerCli;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

/**
 * Makes sure a Docker engine answers. For this host's default engine: installs Debian's docker.io when dockerd is
 * missing, then starts it through systemd or the init script, and where neither works (a container or sandbox with no
 * init system) runs dockerd detached itself, logging to /var/log/berth/dockerd.log.
 */
final class DockerEngine {
    static final String LOCAL = "unix:///var/run/docker.sock";

    private DockerEngine() {
    }

    static DockerCli ensure(String dockerHost, Consumer<String> say) {
        boolean local = dockerHost == null || dockerHost.isBlank() || dockerHost.equals(LOCAL);
        DockerCli docker = DockerCli.forHost(local ? LOCAL : dockerHost);
        if (docker.answers()) {
            return docker;
        }
        if (!local) {
            throw new IllegalStateException("no Docker engine answers at " + dockerHost);
        }
        Apt.ensure(List.of("docker.io"), say);
        if (docker.answers()) {
            return docker;
        }
        List<String> init = Files.isDirectory(Path.of("/run/systemd/system"))
                ? List.of("systemctl", "start", "docker") : List.of("service", "docker", "start");
        say.accept("starting Docker (" + String.join(" ", init) + ")");
        boolean started = Command.of(init).timeout(Duration.ofMinutes(2)).run().ok();
        if (started && await(docker, Duration.ofSeconds(30))) {
            return docker;
        }
        say.accept("no init system started Docker; running dockerd detached (log: /var/log/berth/dockerd.log)");
        startDetached();
        if (!await(docker, Duration.ofSeconds(60))) {
            throw new IllegalStateException("dockerd did not answer within 60 s; see /var/log/berth/dockerd.log");
        }
        return docker;
    }

    private static void startDetached() {
        try {
            Path log = Path.of("/var/log/berth/dockerd.log");
            Files.createDirectories(log.getParent());
            new ProcessBuilder("setsid", "/usr/sbin/dockerd", "-H", LOCAL)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start dockerd: " + e.getMessage(), e);
        }
    }

    private static boolean await(DockerCli docker, Duration limit) {
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline) {
            if (docker.answers()) {
                return true;
            }
            try {
                Thread.sleep(500);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return false;
    }
}
