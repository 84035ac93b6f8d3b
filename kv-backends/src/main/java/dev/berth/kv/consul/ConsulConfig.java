package dev.berth.kv.consul;

import dev.berth.kv.KvUrl;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * What a {@code consul://} URL says: the agent to talk to, the key prefix, the ACL token, TLS.
 *
 * <pre>
 * consul://127.0.0.1:8500/berth?token=SECRET                 token inline
 * consul://127.0.0.1:8501/berth?token-file=/run/secrets/consul&amp;tls=true&amp;cacert=/etc/consul/ca.pem
 * consul://127.0.0.1:8500/berth?log-keep=50000               keep more history for slow watchers
 * </pre>
 *
 * One address: Consul clients talk to their local agent, which forwards to the servers. {@code token-file} is read
 * once, when the store opens (surrounding whitespace dropped); giving both {@code token} and {@code token-file} is an
 * error. {@code cacert} implies TLS.
 */
record ConsulConfig(String baseUrl, String prefix, String token, Path caCert, Duration callTimeout,
                    Duration watchWait, long logKeep) {
    /** How long one blocking query may wait on the server before it answers "no change". */
    static final Duration DEFAULT_WATCH_WAIT = Duration.ofSeconds(30);
    /** How many log entries are kept by default ({@code log-keep}): watchers further behind are reset. */
    static final long DEFAULT_LOG_KEEP = 10_000;

    static ConsulConfig from(KvUrl url) {
        if (!url.scheme().equals("consul")) {
            throw new IllegalArgumentException("not a Consul store URL (consul://...): scheme " + url.scheme());
        }
        if (url.endpoints().size() != 1) {
            throw new IllegalArgumentException("consul:// takes the address of one agent, got " + url.endpoints());
        }
        String token = url.param("token", null);
        String tokenFile = url.param("token-file", null);
        if (token != null && tokenFile != null) {
            throw new IllegalArgumentException("consul store URL: give token or token-file, not both");
        }
        if (tokenFile != null) {
            token = readToken(Path.of(tokenFile));
        }
        String cacert = url.param("cacert", null);
        boolean tls = Boolean.parseBoolean(url.param("tls", "false")) || cacert != null;
        String base = (tls ? "https://" : "http://") + url.endpoints().get(0);
        long keep = Long.parseLong(url.param("log-keep", Long.toString(DEFAULT_LOG_KEEP)));
        if (keep < 1) {
            throw new IllegalArgumentException("consul store URL: log-keep must be at least 1");
        }
        return new ConsulConfig(base, url.prefix(), token, cacert == null ? null : Path.of(cacert),
                url.options().callTimeout(), DEFAULT_WATCH_WAIT, keep);
    }

    boolean tls() {
        return baseUrl.startsWith("https://");
    }

    @Override
    public String toString() {
        return "consul " + baseUrl + "/" + prefix + (token == null ? "" : " (with ACL token)");
    }

    private static String readToken(Path file) {
        try {
            String t = Files.readString(file, StandardCharsets.UTF_8).strip();
            if (t.isEmpty()) {
                throw new IllegalArgumentException("consul token-file " + file + " is empty");
            }
            return t;
        } catch (IOException e) {
            throw new IllegalArgumentException("consul token-file " + file + " cannot be read: " + e.getMessage(), e);
        }
    }
}
