package dev.berth.kv;

/** One change: a PUT carries the new entry; a DELETE carries the key (value empty) and the deleting revision. */
public record WatchEvent(Type type, KeyValue entry, long revision) {
    public enum Type { PUT, DELETE }

    public String key() {
        return entry.key();
    }
}
