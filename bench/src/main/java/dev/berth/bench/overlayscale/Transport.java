package dev.berth.bench.overlayscale;

import java.nio.file.Path;

/**
 * One keep-alive HTTP/1.1 connection to a plugin's unix socket, as Docker's daemon keeps one: POST a JSON body, get
 * the status and body. Not thread-safe: one per client thread.
 */
public interface Transport extends AutoCloseable {
    record Reply(int status, String body) {
    }

    Reply post(String path, String json);

    @Override
    void close();

    /** Opens connections. */
    interface Connector {
        Transport connect(Path socket);
    }
}
