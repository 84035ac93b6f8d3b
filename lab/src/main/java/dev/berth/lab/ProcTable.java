package dev.berth.lab;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * A snapshot of the process table, read from {@code /proc} (no {@code ps}): each process's parent, state, command line
 * and network namespace. Used to find what a lab left running, also after the JVM that made it was killed: containerd
 * shims re-parent themselves to PID 1, so "descendants of dockerd" is not enough and command lines are searched too.
 * Zombies count as gone: PID 1 on some machines never reaps them, and they hold nothing.
 */
final class ProcTable {
    /** One process. {@code netns} is the inode of its network namespace, 0 when unknown. */
    record Proc(long pid, long ppid, char state, String cmdline, long netns) {
        boolean zombie() {
            return state == 'Z' || state == 'X';
        }
    }

    private final Map<Long, Proc> byPid;

    ProcTable(Collection<Proc> procs) {
        Map<Long, Proc> map = new HashMap<>();
        procs.forEach(p -> map.put(p.pid(), p));
        this.byPid = Map.copyOf(map);
    }

    /** Reads {@code /proc}; processes that vanish while being read are skipped. */
    static ProcTable snapshot() {
        return snapshot(Path.of("/proc"));
    }

    static ProcTable snapshot(Path procRoot) {
        List<Proc> procs = new java.util.ArrayList<>();
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(procRoot, p -> isNumber(p.getFileName().toString()))) {
            for (Path dir : dirs) {
                long pid = Long.parseLong(dir.getFileName().toString());
                try {
                    String stat = Files.readString(dir.resolve("stat"), StandardCharsets.UTF_8);
                    String cmdline = joinCmdline(Files.readAllBytes(dir.resolve("cmdline")));
                    long netns = 0;
                    try {
                        netns = parseNsLink(Files.readSymbolicLink(dir.resolve("ns/net")).toString());
                    } catch (IOException | UnsupportedOperationException e) {
                        // kernel thread or gone: no namespace to compare
                    }
                    procs.add(parseStat(pid, stat, cmdline, netns));
                } catch (IOException | IllegalArgumentException e) {
                    // the process ended while we looked
                }
            }
        } catch (IOException e) {
            throw new LabException("cannot read " + procRoot + ": " + e.getMessage(), e);
        }
        return new ProcTable(procs);
    }

    /**
     * Parses {@code /proc/PID/stat}: {@code pid (comm) state ppid ...}. The command name may itself contain spaces and
     * parentheses, so the fields are taken after the last ')'.
     */
    static Proc parseStat(long pid, String stat, String cmdline, long netns) {
        int close = stat.lastIndexOf(')');
        if (close < 0 || close + 2 >= stat.length()) {
            throw new IllegalArgumentException("not a /proc/PID/stat line: " + stat);
        }
        String[] rest = stat.substring(close + 2).trim().split(" ");
        if (rest.length < 2 || rest[0].length() != 1) {
            throw new IllegalArgumentException("not a /proc/PID/stat line: " + stat);
        }
        return new Proc(pid, Long.parseLong(rest[1]), rest[0].charAt(0), cmdline, netns);
    }

    /** {@code /proc/PID/cmdline} is NUL-separated (and NUL-terminated); joined with spaces here. */
    static String joinCmdline(byte[] raw) {
        String s = new String(raw, StandardCharsets.UTF_8);
        while (s.endsWith("\0")) {
            s = s.substring(0, s.length() - 1);
        }
        return s.replace('\0', ' ');
    }

    /** The inode in a namespace link such as {@code net:[4026531992]}, or 0. */
    static long parseNsLink(String link) {
        int open = link.indexOf('[');
        int close = link.indexOf(']', open + 1);
        if (open < 0 || close < 0) {
            return 0;
        }
        try {
            return Long.parseLong(link.substring(open + 1, close));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    Collection<Proc> all() {
        return byPid.values();
    }

    /** Live (non-zombie) processes that match. */
    Set<Long> matching(Predicate<Proc> test) {
        return byPid.values().stream().filter(p -> !p.zombie() && test.test(p)).map(Proc::pid)
                .collect(Collectors.toCollection(TreeSet::new));
    }

    /** The live processes below any of {@code roots}, not the roots themselves. */
    Set<Long> descendantsOf(Collection<Long> roots) {
        Map<Long, List<Long>> children = byPid.values().stream()
                .collect(Collectors.groupingBy(Proc::ppid, Collectors.mapping(Proc::pid, Collectors.toList())));
        Set<Long> found = new TreeSet<>();
        Deque<Long> todo = new ArrayDeque<>(roots);
        while (!todo.isEmpty()) {
            for (long child : children.getOrDefault(todo.pop(), List.of())) {
                if (found.add(child)) {
                    todo.push(child);
                }
            }
        }
        found.removeIf(pid -> !alive(pid));
        return found;
    }

    /** {@code pid} and every process above it up to PID 1 (never to be killed by cleanup). */
    Set<Long> selfAndAncestors(long pid) {
        Set<Long> chain = new LinkedHashSet<>();
        Proc p = byPid.get(pid);
        chain.add(pid);
        while (p != null && p.ppid() > 0 && chain.add(p.ppid())) {
            p = byPid.get(p.ppid());
        }
        chain.add(1L);
        return chain;
    }

    boolean alive(long pid) {
        Proc p = byPid.get(pid);
        return p != null && !p.zombie();
    }

    String cmdline(long pid) {
        Proc p = byPid.get(pid);
        return p == null ? "" : p.cmdline();
    }

    /** Sends SIGTERM ({@code force=false}) or SIGKILL to each process; gone ones are skipped. */
    static void signal(Collection<Long> pids, boolean force) {
        for (long pid : pids) {
            if (pid == ProcessHandle.current().pid()) {
                continue;
            }
            ProcessHandle.of(pid).ifPresent(h -> {
                if (force) {
                    h.destroyForcibly();
                } else {
                    h.destroy();
                }
            });
        }
    }

    /** Waits until none of {@code pids} is alive (zombies count as gone); returns those still alive at the deadline. */
    static Set<Long> awaitGone(Collection<Long> pids, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Set<Long> left = new TreeSet<>(pids);
        while (true) {
            left.removeIf(pid -> !aliveNow(pid));
            if (left.isEmpty() || System.nanoTime() > deadline) {
                return left;
            }
            sleep(Duration.ofMillis(100));
        }
    }

    /** Whether a process exists and is not a zombie, read straight from {@code /proc/PID/stat}. */
    static boolean aliveNow(long pid) {
        try {
            return !parseStat(pid, Files.readString(Path.of("/proc", Long.toString(pid), "stat")), "", 0).zombie();
        } catch (IOException | IllegalArgumentException e) {
            return false;
        }
    }

    static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LabException("interrupted", e);
        }
    }

    private static boolean isNumber(String s) {
        return !s.isEmpty() && s.chars().allMatch(Character::isDigit);
    }
}
