package dev.berth.host.api;

import java.util.Map;

/** Checks shared by the wire records' constructors. A failure becomes a 400 with this message. */
public final class Wire {
    private Wire() {
    }

    /** A field Docker always sends: absent, null or empty is a bad request. */
    public static String required(String value, String field) {
        if (value == null || value.isEmpty()) {
            throw new IllegalArgumentException("missing required field " + field);
        }
        return value;
    }

    /** An optional string: null becomes empty, so drivers never see null. */
    public static String optional(String value) {
        return value == null ? "" : value;
    }

    /** An optional map: null becomes empty and the copy is unmodifiable. */
    public static <V> Map<String, V> map(Map<String, V> value) {
        return value == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(value));
    }

    /** An optional list: null becomes empty and the copy is unmodifiable. */
    public static <T> java.util.List<T> list(java.util.List<T> value) {
        return value == null ? java.util.List.of() : java.util.Collections.unmodifiableList(new java.util.ArrayList<>(value));
    }
}
