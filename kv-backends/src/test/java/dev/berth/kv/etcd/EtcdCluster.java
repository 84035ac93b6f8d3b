package dev.berth.kv.etcd;

import dev.berth.kv.KvUrl;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Real etcd members (Debian's {@code /usr/bin/etcd}) on loopback ports, for tests: fresh data directories under
 * {@code /tmp/berth-etcd-test-<jvm pid>-*}, logs beside them, started and waited for until healthy. A member can be
 * killed with SIGKILL and restarted on its data. {@link #close()} kills every member and removes the directories;
 * members of an earlier test JVM that died without closing (their owner pid is gone) are killed when the next
 * cluster starts, and a shutdown hook kills this JVM's members if a test forgets to close.
 *
 * <pre>{@code
 * try (EtcdCluster etcd = EtcdCluster.start(3)) {
 *     EtcdStore store = EtcdStore.open(etcd.url("test-1"));
 *     etcd.kill(0);
 *     etcd.restart(0);
 * }
 * }</pre>
 */
public final class EtcdCluster implements AutoCloseable {
    static final String BINARY = "/usr/bin/etcd";
    private static final String MARK = "berth-etcd-test-";
    private static final Pattern OWNER = Pattern.compile("/tmp/" + MARK + "(\\d+)-");
    private static final Set<EtcdCluster> RUNNING = ConcurrentHashMap.newKeySet();
    private static volatile boolean cleaned;

    /** Options beyond the defaults: auth token TTL, TLS material. */
    public record Options(int authTokenTtlSeconds, TestPki.Material tls) {
        public static final Options DEFAULTS = new Options(0, null);
    }

    private final Path root;
    private final Options options;
    private final List<Member> members = new ArrayList<>();

    private static final class Member {
        final String name;
        final int clientPort;
        final int peerPort;
        final Path dataDir;
        final Path log;
        volatile Process process;

        Member(String name, int clientPort, int peerPort, Path dataDir, Path log) {
            this.name = name;
            this.clientPort = clientPort;
            this.peerPort = peerPort;
            this.dataDir = dataDir;
            this.log = log;
        }
    }

    private EtcdCluster(Path root, Options options) {
        this.root = root;
        this.options = options;
    }

    public static EtcdCluster start(int size) {
        return start(size, Options.DEFAULTS);
    }

    public static EtcdCluster start(int size, Options options) {
        if (!Files.isExecutable(Path.of(BINARY))) {
            throw new IllegalStateException(BINARY + " is missing: apt-get install etcd-server etcd-client");
        }
        killStale();
        Path root;
        try {
            root = Files.createTempDirectory(Path.of("/tmp"), MARK + ProcessHandle.current().pid() + "-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        EtcdCluster c = new EtcdCluster(root, options);
        RUNNING.add(c);
        try {
            int[] ports = freePorts(2 * size);
            for (int i = 0; i < size; i++) {
                c.members.add(new Member("m" + i, ports[2 * i], ports[2 * i + 1], root.resolve("m" + i),
                        root.resolve("m" + i + ".log")));
            }
            for (int i = 0; i < size; i++) {
                c.launch(i);
            }
            c.awaitHealthy(Duration.ofSeconds(30));
            return c;
        } catch (RuntimeException | Error e) {
            c.close();
            throw e;
        }
    }

    public int size() {
        return members.size();
    }

    /** "127.0.0.1:p0,127.0.0.1:p1,..." for a store URL. */
    public String endpoints() {
        return members.stream().map(m -> "127.0.0.1:" + m.clientPort).collect(Collectors.joining(","));
    }

    public String endpoint(int i) {
        return "127.0.0.1:" + members.get(i).clientPort;
    }

    /** etcd://members/prefix, with extra query parameters such as "timeout=2s" (may be empty). */
    public KvUrl url(String prefix, String params) {
        return KvUrl.parse("etcd://" + endpoints() + "/" + prefix + (params.isEmpty() ? "" : "?" + params));
    }

    public KvUrl url(String prefix) {
        return url(prefix, "");
    }

    public Path logOf(int i) {
        return members.get(i).log;
    }

    public boolean isRunning(int i) {
        Process p = members.get(i).process;
        return p != null && p.isAlive();
    }

    /** SIGKILL, and waits until the process is gone. */
    public void kill(int i) {
        Process p = members.get(i).process;
        if (p == null) {
            return;
        }
        p.destroyForcibly();
        try {
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                throw new IllegalStateException("etcd member " + i + " survived SIGKILL");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        members.get(i).process = null;
    }

    /** Starts a killed member again on its data; returns at once (it may need the others for a quorum). */
    public void restart(int i) {
        if (isRunning(i)) {
            throw new IllegalStateException("etcd member " + i + " is running");
        }
        launch(i);
    }

    /** Waits until every running member says it is healthy (has a leader and serves). */
    public void awaitHealthy(Duration limit) {
        long deadline = System.nanoTime() + limit.toNanos();
        HttpClient probe = probeClient();
        for (int i = 0; i < members.size(); i++) {
            if (!isRunning(i) && members.get(i).process != null) {
                throw new IllegalStateException("etcd member " + i + " exited: " + tail(i));
            }
            while (isRunning(i) && !healthy(probe, i)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("etcd member " + i + " not healthy within " + limit + ": "
                            + tail(i));
                }
                sleep(100);
            }
        }
    }

    private boolean healthy(HttpClient probe, int i) {
        String scheme = options.tls() == null ? "http" : "https";
        HttpRequest req = HttpRequest.newBuilder(URI.create(scheme + "://127.0.0.1:" + members.get(i).clientPort
                + "/health")).timeout(Duration.ofSeconds(2)).build();
        try {
            HttpResponse<String> r = probe.send(req, HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 && r.body().contains("\"health\":\"true\"");
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private HttpClient probeClient() {
        HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1));
        if (options.tls() != null) {
            b.sslContext(options.tls().clientContext());
        }
        return b.build();
    }

    /** Runs etcdctl against this cluster (e.g. to enable auth). */
    public String etcdctl(String... args) {
        List<String> argv = new ArrayList<>(List.of("/usr/bin/etcdctl", "--endpoints", endpoints(),
                "--command-timeout", "10s"));
        argv.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(argv).redirectErrorStream(true);
        pb.environment().put("ETCDCTL_API", "3");
        try {
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(20, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException("etcdctl " + String.join(" ", args) + " failed: " + out);
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private void launch(int i) {
        Member m = members.get(i);
        String scheme = options.tls() == null ? "http" : "https";
        String initial = members.stream().map(x -> x.name + "=http://127.0.0.1:" + x.peerPort)
                .collect(Collectors.joining(","));
        List<String> argv = new ArrayList<>(List.of(BINARY,
                "--name", m.name,
                "--data-dir", m.dataDir.toString(),
                "--listen-client-urls", scheme + "://127.0.0.1:" + m.clientPort,
                "--advertise-client-urls", scheme + "://127.0.0.1:" + m.clientPort,
                "--listen-peer-urls", "http://127.0.0.1:" + m.peerPort,
                "--initial-advertise-peer-urls", "http://127.0.0.1:" + m.peerPort,
                "--initial-cluster", initial,
                "--initial-cluster-state", "new",
                "--initial-cluster-token", root.getFileName().toString(),
                "--logger", "zap", "--log-outputs", "stderr"));
        if (options.authTokenTtlSeconds() > 0) {
            argv.addAll(List.of("--auth-token-ttl", Integer.toString(options.authTokenTtlSeconds())));
        }
        if (options.tls() != null) {
            TestPki.Material t = options.tls();
            argv.addAll(List.of("--cert-file", t.serverCert().toString(), "--key-file", t.serverKey().toString(),
                    "--trusted-ca-file", t.caCert().toString(), "--client-cert-auth"));
        }
        ProcessBuilder pb = new ProcessBuilder(argv).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(m.log.toFile()));
        pb.environment().keySet().removeIf(k -> k.startsWith("ETCD"));
        try {
            m.process = pb.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + BINARY, e);
        }
    }

    /** The last lines of a member's log, for failure messages. */
    public String tail(int i) {
        try {
            List<String> lines = Files.readAllLines(members.get(i).log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() {
        for (int i = 0; i < members.size(); i++) {
            kill(i);
        }
        RUNNING.remove(this);
        if (!Boolean.getBoolean("berth.keep-etcd")) {
            deleteTree(root);
        }
    }

    /** Kills members left by test JVMs that are gone, and removes their directories. */
    static synchronized void killStale() {
        if (cleaned) {
            return;
        }
        cleaned = true;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> RUNNING.forEach(EtcdCluster::close),
                "etcd-cluster-cleanup"));
        ProcessHandle.allProcesses().forEach(p -> {
            Optional<String[]> args = p.info().arguments();
            if (args.isEmpty() || !p.info().command().orElse("").endsWith("etcd")) {
                return;
            }
            for (String a : args.get()) {
                Optional<Long> owner = ownerOf(a);
                if (owner.isPresent() && !alive(owner.get())) {
                    p.destroyForcibly();
                    break;
                }
            }
        });
        try (Stream<Path> dirs = Files.list(Path.of("/tmp"))) {
            dirs.filter(d -> d.getFileName().toString().startsWith(MARK))
                    .filter(d -> ownerOf(d + "/").map(o -> !alive(o)).orElse(false))
                    .forEach(EtcdCluster::deleteTree);
        } catch (IOException e) {
            // nothing to clean
        }
    }

    private static Optional<Long> ownerOf(String path) {
        Matcher m = OWNER.matcher(path);
        return m.find() ? Optional.of(Long.parseLong(m.group(1))) : Optional.empty();
    }

    private static boolean alive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    static int[] freePorts(int n) {
        List<ServerSocket> sockets = new ArrayList<>();
        try {
            int[] ports = new int[n];
            for (int i = 0; i < n; i++) {
                ServerSocket s = new ServerSocket(0);
                sockets.add(s);
                ports[i] = s.getLocalPort();
            }
            return ports;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            for (ServerSocket s : sockets) {
                try {
                    s.close();
                } catch (IOException e) {
                    // already free
                }
            }
        }
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> all = Files.walk(dir)) {
            all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            // best effort: a later run removes what is left
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
