package dev.berth.lab;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;

/**
 * What the lab recorded about itself in {@code /run/berth-lab/lab.properties}, so that {@code hosts()}, {@code env()}
 * and {@code down()} work from a new process. Written first thing in {@code up} (status {@code starting}) and again
 * when the lab is ready ({@code running}). Cleanup never depends on it: it finds stale state by scanning.
 *
 * @param hosts       number of hosts
 * @param etcd        whether the lab runs etcd
 * @param status      {@code starting} or {@code running}
 * @param pids        {@code h1 -> dockerd pid}, {@code etcd -> etcd pid}
 */
record LabState(int hosts, boolean etcd, String status, Map<String, Long> pids) {
    static final String STARTING = "starting";
    static final String RUNNING = "running";
    private static final String FORMAT = "1";

    LabState {
        pids = Map.copyOf(pids);
    }

    boolean running() {
        return RUNNING.equals(status);
    }

    LabState withStatus(String value) {
        return new LabState(hosts, etcd, value, pids);
    }

    LabState withPid(String key, long pid) {
        Map<String, Long> more = new TreeMap<>(pids);
        more.put(key, pid);
        return new LabState(hosts, etcd, status, more);
    }

    /** Sorted {@code key=value} lines that {@link Properties#load} reads back; equal states give equal text. */
    String format() {
        Map<String, String> p = new TreeMap<>();
        p.put("format", FORMAT);
        p.put("hosts", Integer.toString(hosts));
        p.put("etcd", Boolean.toString(etcd));
        p.put("status", status);
        pids.forEach((k, v) -> p.put("pid." + k, Long.toString(v)));
        StringBuilder out = new StringBuilder("# berth lab state: written by dev.berth.lab.Lab, read by `berth lab env|down`\n");
        p.forEach((k, v) -> out.append(k).append('=').append(v).append('\n'));
        return out.toString();
    }

    static LabState parse(String text) {
        Properties p = new Properties();
        try {
            p.load(new StringReader(text));
        } catch (IOException | IllegalArgumentException e) {
            throw new LabException("lab state is unreadable: " + e.getMessage(), e);
        }
        if (!FORMAT.equals(p.getProperty("format"))) {
            throw new LabException("lab state has unknown format " + p.getProperty("format"));
        }
        try {
            Map<String, Long> pids = new TreeMap<>();
            for (String key : p.stringPropertyNames()) {
                if (key.startsWith("pid.")) {
                    pids.put(key.substring(4), Long.parseLong(p.getProperty(key)));
                }
            }
            int hosts = Integer.parseInt(p.getProperty("hosts", ""));
            new LabSpec(hosts, false); // validates the count
            return new LabState(hosts, Boolean.parseBoolean(p.getProperty("etcd")),
                    p.getProperty("status", STARTING), pids);
        } catch (IllegalArgumentException e) {
            throw new LabException("lab state is corrupt: " + e.getMessage(), e);
        }
    }

    static Optional<LabState> read(Path file) {
        try {
            return Optional.of(parse(Files.readString(file, StandardCharsets.UTF_8)));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new LabException("cannot read lab state " + file + ": " + e.getMessage(), e);
        }
    }

    void write(Path file) {
        try {
            Files.createDirectories(file.getParent());
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.writeString(tmp, format(), StandardCharsets.UTF_8);
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new LabException("cannot write lab state " + file + ": " + e.getMessage(), e);
        }
    }
}
