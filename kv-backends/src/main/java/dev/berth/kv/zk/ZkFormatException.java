package dev.berth.kv.zk;

import dev.berth.kv.KvException;

/** A znode under the store's prefix holds data this build cannot read (not Berth's, or a newer format). */
final class ZkFormatException extends KvException {
    ZkFormatException(String message) {
        super(message);
    }
}
