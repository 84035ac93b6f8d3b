package dev.berth.packaging;

import java.util.List;

/**
 * How every plugin JVM runs: sized for an idle plugin (target: socket answering within 1 s of process start, idle RSS
 * at most 64 MiB). Serial GC and a small heap (no GC threads, little committed memory), C1 only (fast warm-up, small
 * code cache), small thread stacks, no perf-data file, and an exit on OutOfMemoryError so that Docker restarts the plugin
 * rather than leaving it wedged. Measured by {@code ./berth bench start} (BENCHMARKS.md).
 */
public final class JvmOptions {
    public static final List<String> DEFAULT = List.of(
            "-XX:+UseSerialGC",
            "-Xms4m",
            "-Xmx48m",
            "-XX:MaxMetaspaceSize=40m",
            "-XX:TieredStopAtLevel=1",
            "-XX:CICompilerCount=1",
            "-XX:ReservedCodeCacheSize=12m",
            "-Xss256k",
            "-XX:-UsePerfData",
            "-XX:+ExitOnOutOfMemoryError",
            "-Xshare:auto");

    /** Environment every plugin process gets: fewer glibc malloc arenas (each costs RSS on a multi-core host). */
    public static final List<String> ENVIRONMENT = List.of("MALLOC_ARENA_MAX=2");

    /**
     * The JDK modules every plugin runtime holds; a descriptor may add more. Jetty needs java.management; the store
     * client (kv-backends) needs java.sql (the embedded store's JDBC), and ZooKeeper's client java.naming and the SASL and
     * GSS modules. jdk.crypto.ec serves TLS and X25519.
     */
    public static final List<String> MODULES = List.of("java.base", "java.logging", "java.management", "java.sql",
            "java.naming", "java.security.sasl", "java.security.jgss", "jdk.unsupported", "jdk.crypto.ec");

    private JvmOptions() {
    }
}
