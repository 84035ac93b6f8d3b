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
        if (Files.isDirectory(Path.of("/run/systemd/system"))) {
            say.accept("starting Docker (systemctl start docker)");
            Command.of("systemctl", "start", "docker").timeout(Duration.ofMinutes(2)).run();
        } else {
            say.accept("starting Docker (service docker start)");
            Command.of("service", "docker", "start").timeout(Duration.ofMinutes(1)).run();
        }
        if (await(docker, Duration.ofSeconds(20))) {
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
