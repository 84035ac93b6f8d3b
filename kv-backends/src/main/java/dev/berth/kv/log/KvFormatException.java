package dev.berth.kv.log;

import dev.berth.kv.KvException;

/** Something under the store's prefix holds data this build cannot read: not written by Berth, or a newer format. */
public final class KvFormatException extends KvException {
    public KvFormatException(String message) {
        super(message);
    }
}
