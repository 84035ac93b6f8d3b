package dev.berth.docker;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What the records' constructors do with Docker's nulls: absent strings, lists and maps become empty, never null. */
final class Nulls {
    private Nulls() {
    }

    static String string(String value) {
        return value == null ? "" : value;
    }

    static <T> List<T> list(List<T> value) {
        return value == null ? List.of() : Collections.unmodifiableList(new ArrayList<>(value));
    }

    static <V> Map<String, V> map(Map<String, V> value) {
        return value == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(value));
    }
}
