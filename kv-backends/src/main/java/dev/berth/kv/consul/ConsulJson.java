package dev.berth.kv.consul;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.kv.KvException;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * Consul's JSON, both ways. Values travel base64-encoded (in KV answers and in transaction requests); indexes are
 * unsigned 64-bit numbers that fit a {@code long} in practice. Answers that are not what the API documents raise
 * {@link KvException} naming what was wrong.
 */
final class ConsulJson {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    /**
     * The answer to a transaction: per-operation results (KV entries; values only for get), or why it rolled back.
     */
    record TxnAnswer(List<KvEntry> results, List<TxnError> errors) {
        TxnAnswer {
            results = List.copyOf(results);
            errors = List.copyOf(errors);
        }

        /** The operation (0-based) that rolled the transaction back, or -1 when Consul did not say. */
        int failedOp() {
            return errors.isEmpty() ? -1 : errors.get(0).opIndex();
        }
    }

    /** One reason a transaction rolled back: which operation (0-based) and Consul's message. */
    record TxnError(int opIndex, String what) {
    }

    private ConsulJson() {
    }

    static byte[] txnBody(List<TxnOp> ops) {
        ArrayNode array = MAPPER.createArrayNode();
        for (TxnOp op : ops) {
            ObjectNode kv = array.addObject().putObject("KV");
            kv.put("Verb", op.verb());
            kv.put("Key", op.key());
            if (op.value() != null) {
                kv.put("Value", Base64.getEncoder().encodeToString(op.value()));
            }
            if (op.verb().equals("cas") || op.verb().equals("delete-cas")) {
                kv.put("Index", op.index());
            }
            if (op.session() != null) {
                kv.put("Session", op.session());
            }
        }
        return bytes(array);
    }

    static byte[] sessionBody(String name, Duration ttl) {
        ObjectNode o = MAPPER.createObjectNode();
        o.put("Name", name);
        o.put("TTL", ttl.toSeconds() + "s");
        o.put("Behavior", "delete");
        o.put("LockDelay", "0s");
        return bytes(o);
    }

    /** A KV answer: a JSON array of entries. */
    static List<KvEntry> entries(byte[] body) {
        JsonNode json = parse(body, "KV answer");
        if (!json.isArray()) {
            throw new KvException("Consul KV answer is not a JSON array: " + abbreviate(body));
        }
        List<KvEntry> out = new ArrayList<>();
        for (JsonNode e : json) {
            out.add(entry(e));
        }
        return out;
    }

    /** A {@code ?keys} answer: a JSON array of key names. */
    static List<String> keyNames(byte[] body) {
        JsonNode json = parse(body, "key list");
        if (!json.isArray()) {
            throw new KvException("Consul key list is not a JSON array: " + abbreviate(body));
        }
        List<String> out = new ArrayList<>();
        for (JsonNode k : json) {
            if (!k.isTextual()) {
                throw new KvException("Consul key list holds a non-string: " + abbreviate(body));
            }
            out.add(k.asText());
        }
        return out;
    }

    static TxnAnswer txnAnswer(byte[] body) {
        JsonNode json = parse(body, "transaction answer");
        List<KvEntry> results = new ArrayList<>();
        for (JsonNode r : json.path("Results")) {
            if (r.has("KV")) {
                results.add(entry(r.get("KV")));
            }
        }
        List<TxnError> errors = new ArrayList<>();
        for (JsonNode e : json.path("Errors")) {
            errors.add(new TxnError(e.path("OpIndex").asInt(-1), e.path("What").asText("")));
        }
        return new TxnAnswer(results, errors);
    }

    static String sessionId(byte[] body) {
        JsonNode id = parse(body, "session answer").path("ID");
        if (!id.isTextual() || id.asText().isEmpty()) {
            throw new KvException("Consul session answer has no ID: " + abbreviate(body));
        }
        return id.asText();
    }

    /** The leader's address from {@code /v1/status/leader} ("" when there is none). */
    static String leader(byte[] body) {
        JsonNode n = parse(body, "leader status");
        if (!n.isTextual()) {
            throw new KvException("Consul leader status is not a JSON string: " + abbreviate(body));
        }
        return n.asText();
    }

    private static KvEntry entry(JsonNode e) {
        JsonNode key = e.get("Key");
        if (key == null || !key.isTextual()) {
            throw new KvException("Consul KV entry without a Key: " + e);
        }
        JsonNode v = e.get("Value");
        byte[] value;
        try {
            value = v == null || v.isNull() ? new byte[0] : Base64.getDecoder().decode(v.asText());
        } catch (IllegalArgumentException ex) {
            throw new KvException("Consul KV entry " + key.asText() + " has a Value that is not base64", ex);
        }
        return new KvEntry(key.asText(), value, e.path("CreateIndex").asLong(), e.path("ModifyIndex").asLong(),
                e.path("LockIndex").asLong(), e.path("Flags").asLong(), e.path("Session").asText(""));
    }

    private static JsonNode parse(byte[] body, String what) {
        try {
            JsonNode n = MAPPER.readTree(body);
            if (n == null) {
                throw new KvException("Consul " + what + " is empty");
            }
            return n;
        } catch (IOException e) {
            throw new KvException("Consul " + what + " is not JSON: " + abbreviate(body), e);
        }
    }

    private static byte[] bytes(JsonNode n) {
        try {
            return MAPPER.writeValueAsBytes(n);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String abbreviate(byte[] body) {
        String s = new String(body, java.nio.charset.StandardCharsets.UTF_8);
        return s.length() > 200 ? s.substring(0, 200) + "..." : s;
    }
}
