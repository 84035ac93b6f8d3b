package dev.berth.kv.etcd;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.kv.KeyValue;
import dev.berth.kv.KvException;
import dev.berth.kv.WatchEvent;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * The etcd v3 JSON gateway's messages both ways, and nothing else: request bodies built from our keys and values,
 * responses parsed into our types. Pure, no I/O.
 *
 * <p>On the wire keys and values are base64, int64 fields are JSON strings, and the gateway leaves out zero values: a
 * missing {@code succeeded} is false, a missing event {@code type} is PUT, a missing {@code TTL} is 0. Keys are stored
 * under {@code <prefix>/} (nothing when the store's prefix is empty) and handed out relative to it.
 */
final class EtcdJson {
    static final ObjectMapper MAPPER = new ObjectMapper();
    private static final byte[] ALL = {0};

    private final String root;

    /** @param prefix the store's prefix from its URL, without a trailing '/'; empty for none */
    EtcdJson(String prefix) {
        this.root = prefix.isEmpty() ? "" : prefix + "/";
    }

    // ---- keys

    byte[] key(String relative) {
        return (root + relative).getBytes(StandardCharsets.UTF_8);
    }

    /** First key of the range holding every key under {@code prefix}; "\0" (etcd: from the start) when all is empty. */
    byte[] rangeStart(String prefix) {
        byte[] k = key(prefix);
        return k.length == 0 ? ALL.clone() : k;
    }

    /** End (exclusive) of the range holding every key under {@code prefix}. */
    byte[] rangeEnd(String prefix) {
        return prefixEnd(key(prefix));
    }

    /**
     * etcd's prefix end: the prefix with its last byte below 0xff incremented and what follows dropped; "\0" (to the
     * end of the keyspace) when there is no such byte.
     */
    static byte[] prefixEnd(byte[] prefix) {
        for (int i = prefix.length - 1; i >= 0; i--) {
            if (prefix[i] != (byte) 0xff) {
                byte[] end = Arrays.copyOf(prefix, i + 1);
                end[i]++;
                return end;
            }
        }
        return ALL.clone();
    }

    String relative(byte[] fullKey) {
        String k = new String(fullKey, StandardCharsets.UTF_8);
        if (!k.startsWith(root)) {
            throw new KvException("etcd returned key '" + k + "' outside the store's prefix '" + root + "'");
        }
        return k.substring(root.length());
    }

    // ---- requests

    ObjectNode range(String key) {
        return object().put("key", b64(key(key)));
    }

    /** One page of a prefix listing: keys from {@code from} (inclusive), at {@code revision} (0: the newest). */
    ObjectNode rangePage(String prefix, byte[] from, long revision, int limit) {
        ObjectNode o = object().put("key", b64(from)).put("range_end", b64(rangeEnd(prefix)))
                .put("limit", Integer.toString(limit));
        if (revision > 0) {
            o.put("revision", Long.toString(revision));
        }
        return o;
    }

    ObjectNode put(String key, byte[] value, long lease) {
        ObjectNode o = object().put("key", b64(key(key))).put("value", b64(value));
        if (lease != 0) {
            o.put("lease", Long.toString(lease));
        }
        return o;
    }

    ObjectNode delete(String key) {
        return object().put("key", b64(key(key)));
    }

    /** txn: if the key was never created (create_revision == 0), put it. */
    ObjectNode createIfAbsent(String key, byte[] value, long lease) {
        return txn(compare(key, "CREATE", "create_revision", 0), object().set("request_put", put(key, value, lease)));
    }

    /** txn: if the key's mod_revision is still {@code expected}, put the value, keeping the key's lease. */
    ObjectNode compareAndSet(String key, long expected, byte[] value) {
        ObjectNode put = put(key, value, 0).put("ignore_lease", true);
        return txn(compare(key, "MOD", "mod_revision", expected), object().set("request_put", put));
    }

    /** txn: if the key's mod_revision is still {@code expected}, delete it. */
    ObjectNode compareAndDelete(String key, long expected) {
        return txn(compare(key, "MOD", "mod_revision", expected), object().set("request_delete_range", delete(key)));
    }

    /** A watch stream's create request for every key under prefix, from {@code startRevision} on. */
    ObjectNode watchCreate(String prefix, long startRevision) {
        ObjectNode create = object().put("key", b64(rangeStart(prefix))).put("range_end", b64(rangeEnd(prefix)))
                .put("start_revision", Long.toString(startRevision)).put("prev_kv", false);
        return object().set("create_request", create);
    }

    static ObjectNode leaseGrant(long ttlSeconds) {
        return object().put("TTL", Long.toString(ttlSeconds));
    }

    static ObjectNode leaseId(long id) {
        return object().put("ID", Long.toString(id));
    }

    static ObjectNode authenticate(String user, String password) {
        return object().put("name", user).put("password", password);
    }

    static ObjectNode object() {
        return MAPPER.createObjectNode();
    }

    static byte[] bytes(JsonNode body) {
        try {
            return MAPPER.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private ObjectNode compare(String key, String target, String field, long value) {
        return object().put("key", b64(key(key))).put("target", target).put("result", "EQUAL")
                .put(field, Long.toString(value));
    }

    private static ObjectNode txn(ObjectNode compare, ObjectNode success) {
        ObjectNode o = object();
        o.putArray("compare").add(compare);
        o.putArray("success").add(success);
        return o;
    }

    // ---- responses

    static JsonNode parse(byte[] body) {
        try {
            return MAPPER.readTree(body);
        } catch (java.io.IOException e) {
            throw new KvException("etcd sent an unreadable answer: " + e.getMessage(), e);
        }
    }

    static JsonNode parse(String line) {
        return parse(line.getBytes(StandardCharsets.UTF_8));
    }

    /** The store revision a response reflects (its header's). */
    static long revision(JsonNode response) {
        return response.path("header").path("revision").asLong();
    }

    List<KeyValue> kvs(JsonNode rangeResponse) {
        List<KeyValue> out = new ArrayList<>();
        for (JsonNode kv : rangeResponse.path("kvs")) {
            out.add(keyValue(kv));
        }
        return out;
    }

    Optional<KeyValue> first(JsonNode rangeResponse) {
        JsonNode kvs = rangeResponse.path("kvs");
        return kvs.isEmpty() ? Optional.empty() : Optional.of(keyValue(kvs.get(0)));
    }

    /** The full key of a range response's last entry (to continue a paged listing after it). */
    static byte[] lastKey(JsonNode rangeResponse) {
        JsonNode kvs = rangeResponse.path("kvs");
        return unb64(kvs.get(kvs.size() - 1).path("key").asText());
    }

    static boolean more(JsonNode rangeResponse) {
        return rangeResponse.path("more").asBoolean(false);
    }

    static boolean succeeded(JsonNode txnResponse) {
        return txnResponse.path("succeeded").asBoolean(false);
    }

    static long deleted(JsonNode deleteResponse) {
        return deleteResponse.path("deleted").asLong();
    }

    /** How many keys the first operation of a succeeded txn deleted. */
    static long txnDeleted(JsonNode txnResponse) {
        return txnResponse.path("responses").path(0).path("response_delete_range").path("deleted").asLong();
    }

    record Grant(long id, long ttlSeconds) {
    }

    static Grant grant(JsonNode response) {
        return new Grant(response.path("ID").asLong(), response.path("TTL").asLong());
    }

    /** The TTL a keep-alive answered: 0 or less when the lease is gone. Streamed answers are wrapped in "result". */
    static long keepAliveTtl(JsonNode response) {
        JsonNode r = response.has("result") ? response.path("result") : response;
        return r.path("TTL").asLong();
    }

    /** An error the server answered with, either unary ({code, message}) or streamed ({error: {grpc_code, ...}}). */
    static Optional<EtcdServerException> error(JsonNode response) {
        JsonNode e = response.get("error");
        if (e == null) {
            return Optional.empty();
        }
        if (e.isObject()) {
            return Optional.of(new EtcdServerException(e.path("grpc_code").asInt(2), e.path("message").asText()));
        }
        String message = response.path("message").asText(e.asText());
        return Optional.of(new EtcdServerException(response.path("code").asInt(2), message));
    }

    /**
     * One message of a watch stream. {@code compactRevision} > 0 with {@code canceled}: the start revision was
     * compacted away.
     */
    record WatchMessage(long revision, boolean created, boolean canceled, long compactRevision, String cancelReason,
                        List<WatchEvent> events, EtcdServerException error) {
        boolean compacted() {
            return canceled && (compactRevision > 0 || cancelReason.contains("compacted"));
        }
    }

    /** Parses one line of the {@code /v3/watch} stream. */
    WatchMessage watchLine(String line) {
        JsonNode msg = parse(line);
        Optional<EtcdServerException> error = error(msg);
        if (error.isPresent()) {
            return new WatchMessage(0, false, true, 0, error.get().getMessage(), List.of(), error.get());
        }
        JsonNode r = msg.has("result") ? msg.path("result") : msg;
        List<WatchEvent> events = new ArrayList<>();
        for (JsonNode ev : r.path("events")) {
            KeyValue kv = keyValue(ev.path("kv"));
            boolean delete = "DELETE".equals(ev.path("type").asText("PUT"));
            events.add(new WatchEvent(delete ? WatchEvent.Type.DELETE : WatchEvent.Type.PUT, kv, kv.modRevision()));
        }
        return new WatchMessage(revision(r), r.path("created").asBoolean(false), r.path("canceled").asBoolean(false),
                r.path("compact_revision").asLong(), r.path("cancel_reason").asText(""), List.copyOf(events), null);
    }

    private KeyValue keyValue(JsonNode kv) {
        return new KeyValue(relative(unb64(kv.path("key").asText())), unb64(kv.path("value").asText("")),
                kv.path("create_revision").asLong(), kv.path("mod_revision").asLong(), kv.path("lease").asLong());
    }

    static String b64(byte[] b) {
        return Base64.getEncoder().encodeToString(b);
    }

    static byte[] unb64(String s) {
        return Base64.getDecoder().decode(s);
    }
}
