package dev.berth.docker;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Docker's JSON to the records and back. Unknown fields are ignored: newer daemons send more than we read. */
final class Codec {
    private static final int MAX_MESSAGE = 2000;
    private static final JsonMapper JSON = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    private Codec() {
    }

    static <T> T read(String call, byte[] body, Class<T> type) {
        try {
            T value = JSON.readValue(body, type);
            if (value == null) {
                throw unreadable(call, "null instead of an object", null);
            }
            return value;
        } catch (IOException e) {
            throw unreadable(call, why(e), e);
        }
    }

    static <T> List<T> readList(String call, byte[] body, Class<T> type) {
        try {
            List<T> values = JSON.readValue(body, JSON.getTypeFactory().constructCollectionType(List.class, type));
            return values == null ? List.of() : List.copyOf(values);
        } catch (IOException e) {
            throw unreadable(call, why(e), e);
        }
    }

    /** Any JSON object, as a tree (for what the records leave out). */
    static JsonNode tree(String call, byte[] body) {
        try {
            JsonNode node = JSON.readTree(body);
            if (node == null || !node.isObject()) {
                throw unreadable(call, "not a JSON object", null);
            }
            return node;
        } catch (IOException e) {
            throw unreadable(call, why(e), e);
        }
    }

    /** A request body. */
    static byte[] write(Object value) {
        try {
            return JSON.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot write " + value + ": " + e.getMessage(), e);
        }
    }

    /**
     * The lines of a JSON message stream ({@code docker load}'s, {@code pull}'s): each object's {@code stream} text;
     * the first {@code error} throws.
     */
    static List<String> messages(String call, byte[] body) {
        List<String> lines = new ArrayList<>();
        try (MappingIterator<JsonNode> it = JSON.readerFor(JsonNode.class).readValues(body)) {
            while (it.hasNextValue()) {
                JsonNode m = it.nextValue();
                String error = m.path("errorDetail").path("message").asText(m.path("error").asText(""));
                if (!error.isEmpty()) {
                    throw new DockerApiException(call, 200, error);
                }
                m.path("stream").asText("").lines().map(String::strip).filter(l -> !l.isEmpty()).forEach(lines::add);
            }
        } catch (IOException e) {
            throw unreadable(call, why(e), e);
        }
        return List.copyOf(lines);
    }

    /** Docker's error text: {@code message} of its JSON body, else the body itself (cut short), else "(no message)". */
    static String dockerMessage(byte[] body) {
        try {
            JsonNode node = JSON.readTree(body);
            if (node != null && node.path("message").isTextual()) {
                return node.get("message").asText();
            }
        } catch (IOException e) {
            // not JSON: fall back to the text
        }
        String text = new String(body, StandardCharsets.UTF_8).strip();
        if (text.length() > MAX_MESSAGE) {
            text = text.substring(0, MAX_MESSAGE) + " ...";
        }
        return text.isEmpty() ? "(no message)" : text;
    }

    /** The {@code filters} query value: {@code {"type":["container"],"event":["die"]}}. */
    static String filters(Map<String, List<String>> filters) {
        try {
            return JSON.writeValueAsString(filters);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot write filters " + filters + ": " + e.getMessage(), e);
        }
    }

    /** Events as they come: one JSON object after another, split across chunks however the daemon flushed them. */
    static MappingIterator<Event> events(InputStream in) throws IOException {
        return JSON.readerFor(Event.class).readValues(in);
    }

    static DockerApiException unreadable(String call, String why, Throwable cause) {
        return new DockerApiException(call, 200, "unreadable answer: " + why, cause);
    }

    private static String why(IOException e) {
        return e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.toString();
    }
}
