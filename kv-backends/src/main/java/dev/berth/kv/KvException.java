package dev.berth.kv;

/** Something went wrong talking to the store. Unchecked; see {@link KvUnavailableException} for outages. */
public class KvException extends RuntimeException {
    public KvException(String message) {
        super(message);
    }

    public KvException(String message, Throwable cause) {
        super(message, cause);
    }
}
