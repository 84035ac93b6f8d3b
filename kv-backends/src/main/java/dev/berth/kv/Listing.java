package dev.berth.kv;

import java.util.List;

/** The entries under a prefix, sorted by key, and the store revision they reflect (watch from it to miss nothing). */
public record Listing(List<KeyValue> entries, long revision) {
    public Listing {
        entries = List.copyOf(entries);
    }
}
