package dev.berth.kv;

/** The store cannot be reached, or did not answer within the call timeout. Retrying later may work. */
public class KvUnavailableException extends KvException {
    public KvUnavailableException(String message) {
        super(message);
    }

    public KvUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
