package dev.berth.host.internal;

/** A refusal decided by the protocol layer before any driver is involved: unknown method, wrong verb, not JSON. */
final class ProtocolRefusal extends RuntimeException {
    private final int status;

    private ProtocolRefusal(int status, String message) {
        super(message, null, false, false);
        this.status = status;
    }

    int status() {
        return status;
    }

    /** 404 is what Docker reads as "this plugin does not implement the method". */
    static ProtocolRefusal notImplemented(String path) {
        return new ProtocolRefusal(404, "unknown method " + path + ": this plugin does not implement it");
    }

    static ProtocolRefusal wrongMethod(String verb, String path) {
        return new ProtocolRefusal(405, verb + " " + path + ": plugin calls are POST");
    }

    static ProtocolRefusal unsupportedMediaType(String contentType) {
        return new ProtocolRefusal(415, "unsupported Content-Type " + contentType + ": send JSON");
    }
}
