package dev.berth.kv.consul;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One HTTP request to Consul's API, before any transport: method, path, query parameters, JSON body. Built by
 * {@link ConsulApi}; sent by {@link ConsulHttp}, which adds the ACL token header.
 */
record ConsulRequest(String method, String path, Map<String, String> query, byte[] body) {
    ConsulRequest {
        query = Collections.unmodifiableMap(new LinkedHashMap<>(query));
        body = body == null ? null : body.clone();
    }

    @Override
    public byte[] body() {
        return body == null ? null : body.clone();
    }

    /** Path and query, ready to append to the agent's base URL. A parameter with an empty value is a bare flag. */
    String pathAndQuery() {
        StringBuilder sb = new StringBuilder(path);
        char sep = '?';
        for (Map.Entry<String, String> e : query.entrySet()) {
            sb.append(sep).append(encode(e.getKey()));
            if (!e.getValue().isEmpty()) {
                sb.append('=').append(encode(e.getValue()));
            }
            sep = '&';
        }
        return sb.toString();
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ConsulRequest r && method.equals(r.method) && path.equals(r.path) && query.equals(r.query)
                && java.util.Arrays.equals(body, r.body);
    }

    @Override
    public int hashCode() {
        return path.hashCode();
    }

    @Override
    public String toString() {
        return method + " " + pathAndQuery();
    }
}
