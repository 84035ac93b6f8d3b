package dev.berth.cli;

import java.net.URI;
import java.util.List;
import java.util.Optional;

/** The cluster store a suite uses: {@code etcd://h1:2379,h2:2379/prefix}, {@code consul://...}, {@code zk://...}. */
final class KvUrl {
    private static final List<String> SCHEMES = List.of("etcd", "consul", "zk");

    private KvUrl() {
    }

    /** Validates a --kv value; empty means the embedded single-host store. */
    static Optional<String> parse(String value) {
        if (value == null || value.isBlank()) {
            return Optional.empty();
        }
        int sep = value.indexOf("://");
        String scheme = sep < 0 ? "" : value.substring(0, sep);
        if (!SCHEMES.contains(scheme)) {
            throw new IllegalArgumentException("--kv " + value + ": use etcd://host:port[,host:port]/prefix, "
                    + "consul://host:port/prefix or zk://host:port[,host:port]/prefix");
        }
        String rest = value.substring(sep + 3);
        String hosts = rest.contains("/") ? rest.substring(0, rest.indexOf('/')) : rest;
        if (hosts.isEmpty()) {
            throw new IllegalArgumentException("--kv " + value + ": no host given");
        }
        for (String hostPort : hosts.split(",")) {
            URI u = URI.create("x://" + hostPort);
            if (u.getHost() == null || u.getPort() <= 0) {
                throw new IllegalArgumentException("--kv " + value + ": '" + hostPort + "' is not host:port");
            }
        }
        return Optional.of(value);
    }
}
