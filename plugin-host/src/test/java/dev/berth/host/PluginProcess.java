package dev.berth.host;

import dev.berth.host.internal.SocketGuard;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The test volume plugin run as a real child process (its own JVM), the way Docker runs a plugin. */
final class PluginProcess implements AutoCloseable {
    final Process process;
    final Path socket;
    final Path log;

    private PluginProcess(Process process, Path socket, Path log) {
        this.process = process;
        this.socket = socket;
        this.log = log;
    }

    static PluginProcess start(Path dir, Path socket, String... jvmOptions) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(List.of(jvmOptions));
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add("dev.berth.host.testvol.DirVolumePlugin");
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("BERTH_SOCKET", socket.toString());
        pb.environment().put("BERTH_TESTVOL_ROOT", dir.resolve("volumes").toString());
        pb.environment().put("BERTH_PLUGIN_NAME", "berth/testvol");
        Path log = dir.resolve("plugin-" + System.nanoTime() + ".log");
        pb.redirectErrorStream(true).redirectOutput(log.toFile());
        try {
            return new PluginProcess(pb.start(), socket, log);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Waits until the socket answers Activate; fails with the plugin's log if it does not within the limit. */
    PluginProcess awaitReady(Duration limit) {
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("plugin exited " + process.exitValue() + ": " + log());
            }
            if (SocketGuard.answers(socket)) {
                return this;
            }
            sleep(10);
        }
        throw new IllegalStateException("plugin did not answer within " + limit + ": " + log());
    }

    /** Resident set size in bytes, from /proc. */
    long rssBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(process.pid()), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        throw new IllegalStateException("no VmRSS for " + process.pid());
    }

    /** SIGTERM, then the exit code. */
    int terminate(Duration limit) {
        process.destroy();
        try {
            if (!process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("plugin ignored SIGTERM for " + limit + ": " + log());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return process.exitValue();
    }

    String log() {
        try {
            return Files.exists(log) ? Files.readString(log) : "";
        } catch (IOException e) {
            return "(log unreadable: " + e + ")";
        }
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
