package dev.berth.kv;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Which store, parsed from a URL:
 *
 * <pre>
 * etcd://h1:2379,h2:2379/berth?cacert=/ca.pem&amp;cert=/c.pem&amp;key=/k.pem&amp;user=u&amp;password=p&amp;tls=true
 * consul://host:8500/berth?token=SECRET&amp;token-file=/run/secrets/consul&amp;tls=true&amp;cacert=/ca.pem
 * zk://h1:2181,h2:2181/berth?digest=user:password
 * embedded:///var/lib/berth/kv                       (a directory; the default of berth up)
 * </pre>
 *
 * Common parameters: {@code timeout} (call timeout, e.g. {@code 5s}, {@code 500ms}).
 */
public record KvUrl(String scheme, List<Endpoint> endpoints, Path directory, String prefix, Map<String, String> params) {
    private static final Pattern PREFIX = Pattern.compile("[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*");
    public static final List<String> SCHEMES = List.of("etcd", "consul", "zk", "embedded");

    /** host:port of one server. */
    public record Endpoint(String host, int port) {
        @Override
        public String toString() {
            return host.contains(":") ? "[" + host + "]:" + port : host + ":" + port;
        }
    }

    public KvUrl {
        endpoints = List.copyOf(endpoints);
        params = Collections.unmodifiableMap(new LinkedHashMap<>(params));
    }

    public static KvUrl parse(String url) {
        int sep = url == null ? -1 : url.indexOf("://");
        if (sep < 0) {
            throw new IllegalArgumentException("store URL '" + url + "': expected scheme://..., one of " + SCHEMES);
        }
        String scheme = url.substring(0, sep);
        if (!SCHEMES.contains(scheme)) {
            throw new IllegalArgumentException("store URL '" + url + "': unknown scheme " + scheme + ", use one of "
                    + SCHEMES);
        }
        String rest = url.substring(sep + 3);
        Map<String, String> params = new LinkedHashMap<>();
        int q = rest.indexOf('?');
        if (q >= 0) {
            for (String kv : rest.substring(q + 1).split("&")) {
                if (kv.isEmpty()) {
                    continue;
                }
                int eq = kv.indexOf('=');
                String k = decode(eq < 0 ? kv : kv.substring(0, eq));
                params.put(k, eq < 0 ? "true" : decode(kv.substring(eq + 1)));
            }
            rest = rest.substring(0, q);
        }
        if (scheme.equals("embedded")) {
            if (!rest.startsWith("/")) {
                throw new IllegalArgumentException("store URL '" + url + "': embedded:///absolute/directory");
            }
            return new KvUrl(scheme, List.of(), Path.of(rest), "", params);
        }
        int slash = rest.indexOf('/');
        String hosts = slash < 0 ? rest : rest.substring(0, slash);
        String prefix = slash < 0 ? "" : rest.substring(slash + 1).replaceAll("/+$", "");
        if (!prefix.isEmpty() && !PREFIX.matcher(prefix).matches()) {
            throw new IllegalArgumentException("store URL '" + url + "': prefix '" + prefix
                    + "' may hold letters, digits, '.', '_', '-' and '/' between segments");
        }
        List<Endpoint> endpoints = new ArrayList<>();
        for (String hp : hosts.split(",")) {
            endpoints.add(endpoint(url, hp));
        }
        return new KvUrl(scheme, endpoints, null, prefix, params);
    }

    private static Endpoint endpoint(String url, String hp) {
        int colon = hp.lastIndexOf(':');
        if (hp.isEmpty() || colon <= 0 || colon == hp.length() - 1) {
            throw new IllegalArgumentException("store URL '" + url + "': '" + hp + "' is not host:port");
        }
        String host = hp.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        try {
            int port = Integer.parseInt(hp.substring(colon + 1));
            if (port < 1 || port > 65535) {
                throw new NumberFormatException();
            }
            return new Endpoint(host, port);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("store URL '" + url + "': bad port in '" + hp + "'");
        }
    }

    public String param(String name, String fallback) {
        return params.getOrDefault(name, fallback);
    }

    public KvOptions options() {
        return KvOptions.from(params);
    }

    private static String decode(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }
}
