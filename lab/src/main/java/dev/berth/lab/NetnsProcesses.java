package dev.berth.lab;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** Finds processes (a lab host's dockerd, its plugins) by the network namespace they run in. */
public final class NetnsProcesses {
    private NetnsProcesses() {
    }

    /** PIDs whose command line contains {@code needle} and whose network namespace is the one at {@code netns}. */
    public static List<Long> find(Path netns, String needle) {
        List<Long> out = new ArrayList<>();
        Object want = inode(netns);
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path p : procs.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
                try {
                    String cmd = new String(Files.readAllBytes(p.resolve("cmdline")), StandardCharsets.UTF_8)
                            .replace('\0', ' ');
                    if (cmd.contains(needle) && want != null && want.equals(inode(p.resolve("ns/net")))) {
                        out.add(Long.parseLong(p.getFileName().toString()));
                    }
                } catch (IOException | SecurityException gone) {
                    // the process ended while we looked
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out;
    }

    private static Object inode(Path p) {
        try {
            return Files.readAttributes(p, "unix:ino").get("ino");
        } catch (IOException | UnsupportedOperationException e) {
            return null;
        }
    }
}
