package dev.berth.host.internal;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.type.LogicalType;
import dev.berth.host.error.BadRequestException;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Strict JSON for the wire records: types must match (no "true" for a boolean, no number for a string), one value per
 * body, bounded nesting. Unknown fields are ignored so that newer Docker versions keep working. Every parse failure
 * becomes a {@link BadRequestException} naming the field and what was wrong.
 */
public final class JsonCodec {
    private static final int MAX_MESSAGE = 300;
    private final JsonMapper mapper;

    public JsonCodec() {
        JsonMapper m = JsonMapper.builder()
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .disable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
                .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
                .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
                .serializationInclusion(JsonInclude.Include.NON_NULL)
                .build();
        m.getFactory().setStreamReadConstraints(StreamReadConstraints.builder()
                .maxNestingDepth(64).maxStringLength(1 << 20).maxNumberLength(64).build());
        for (LogicalType t : new LogicalType[] {LogicalType.Textual, LogicalType.Boolean, LogicalType.Integer,
                LogicalType.Float, LogicalType.Map, LogicalType.Collection, LogicalType.POJO}) {
            m.coercionConfigFor(t)
                    .setCoercion(CoercionInputShape.Integer, t == LogicalType.Integer || t == LogicalType.Float
                            ? CoercionAction.TryConvert : CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Float, t == LogicalType.Float
                            ? CoercionAction.TryConvert : CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Boolean, t == LogicalType.Boolean
                            ? CoercionAction.TryConvert : CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.EmptyString, t == LogicalType.Textual
                            ? CoercionAction.TryConvert : CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.String, t == LogicalType.Textual
                            ? CoercionAction.TryConvert : CoercionAction.Fail);
        }
        this.mapper = m;
    }

    /** Parses a request body; an empty body reads as {@code {}} so that missing fields are named precisely. */
    public <T> T read(byte[] body, Class<T> type) {
        byte[] json = isBlank(body) ? "{}".getBytes() : body;
        try {
            T value = mapper.readValue(json, type);
            if (value == null) {
                throw new BadRequestException("request body must be a JSON object, not null");
            }
            return value;
        } catch (JsonProcessingException e) {
            throw new BadRequestException(describe(e), e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public byte[] write(Object value) {
        try {
            return mapper.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise " + value.getClass().getName(), e);
        }
    }

    static String describe(JsonProcessingException e) {
        String text;
        if (e instanceof ValueInstantiationException vie) {
            Throwable root = vie;
            while (root.getCause() != null && root.getCause() != root) {
                root = root.getCause();
            }
            text = root.getMessage();
        } else if (e instanceof JsonParseException pe) {
            text = "malformed JSON" + location(pe) + ": " + firstLine(pe.getOriginalMessage());
        } else if (e instanceof MismatchedInputException mie) {
            String path = path(mie);
            if (path.isEmpty()) {
                text = mie.getTargetType() != null && mie.getPath().isEmpty()
                        ? "request body must be a JSON object" + detail(mie)
                        : firstLine(mie.getOriginalMessage());
            } else {
                String expected = mie.getTargetType() == null ? "another type" : simpleType(mie.getTargetType());
                text = "field " + path + " has the wrong type: expected " + expected + detail(mie);
            }
        } else if (e instanceof JsonMappingException jme && !path(jme).isEmpty()) {
            text = "field " + path(jme) + ": " + firstLine(jme.getOriginalMessage());
        } else {
            text = "malformed JSON" + location(e) + ": " + firstLine(e.getOriginalMessage());
        }
        return text.length() > MAX_MESSAGE ? text.substring(0, MAX_MESSAGE) + "..." : text;
    }

    private static final java.util.regex.Pattern GOT = java.util.regex.Pattern.compile(
            "(?:coerce|from) (Integer|Floating-point|Boolean|String|Empty String|Array|Object|Null) value");

    /** What the body held where something else was expected (the parser is closed by now: read Jackson's words). */
    private static String detail(MismatchedInputException e) {
        java.util.regex.Matcher m = GOT.matcher(String.valueOf(e.getOriginalMessage()));
        if (!m.find()) {
            return "";
        }
        return ", got " + switch (m.group(1)) {
            case "Integer", "Floating-point" -> "a number";
            case "Boolean" -> "a boolean";
            case "String", "Empty String" -> "a string";
            case "Array" -> "an array";
            case "Object" -> "an object";
            default -> "null";
        };
    }

    private static String simpleType(Class<?> type) {
        if (CharSequence.class.isAssignableFrom(type)) {
            return "a string";
        }
        if (type == boolean.class || type == Boolean.class) {
            return "true or false";
        }
        if (type.isPrimitive() || Number.class.isAssignableFrom(type)) {
            return "a number";
        }
        if (java.util.Map.class.isAssignableFrom(type) || type.isRecord()) {
            return "an object";
        }
        if (java.util.Collection.class.isAssignableFrom(type) || type.isArray()) {
            return "an array";
        }
        return type.getSimpleName();
    }

    private static String path(JsonMappingException e) {
        StringBuilder sb = new StringBuilder();
        for (JsonMappingException.Reference ref : e.getPath()) {
            if (ref.getFieldName() != null) {
                if (sb.length() > 0) {
                    sb.append('.');
                }
                sb.append(ref.getFieldName());
            } else if (ref.getIndex() >= 0) {
                sb.append('[').append(ref.getIndex()).append(']');
            }
        }
        return sb.toString();
    }

    private static String location(JsonProcessingException e) {
        if (e.getLocation() == null) {
            return "";
        }
        return " at line " + e.getLocation().getLineNr() + " column " + e.getLocation().getColumnNr();
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "invalid input";
        }
        int nl = s.indexOf('\n');
        return nl >= 0 ? s.substring(0, nl) : s;
    }

    private static boolean isBlank(byte[] body) {
        for (byte b : body) {
            if (b != ' ' && b != '\n' && b != '\r' && b != '\t') {
                return false;
            }
        }
        return true;
    }
}
