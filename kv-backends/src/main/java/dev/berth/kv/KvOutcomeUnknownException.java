package dev.berth.kv;

/**
 * A conditional write (create, compare-and-set, compare-and-delete) reached the store but the answer was lost: it may
 * or may not have been applied. Read the key to learn which before retrying.
 */
public class KvOutcomeUnknownException extends KvUnavailableException {
    public KvOutcomeUnknownException(String message, Throwable cause) {
        super(message, cause);
    }
}
