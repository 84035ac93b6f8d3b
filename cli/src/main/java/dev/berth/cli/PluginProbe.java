package dev.berth.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.io.Transport;

/** Asks a running plugin how it is, over its socket: {@code GET /status} with Jetty's unix-domain client. */
final class PluginProbe {
    private static final ObjectMapper JSON = new ObjectMapper();

    record Status(int httpStatus, JsonNode body) {
    }

    private PluginProbe() {
    }

    static Optional<Status> status(Path socket) {
        if (!Files.exists(socket)) {
            return Optional.empty();
        }
        HttpClient client = new HttpClient();
        try {
            client.start();
            ContentResponse r = client.newRequest("http://plugin/status")
                    .transport(new Transport.TCPUnix(socket)).timeout(5, TimeUnit.SECONDS).send();
            return Optional.of(new Status(r.getStatus(), JSON.readTree(r.getContentAsString())));
        } catch (Exception e) {
            return Optional.empty();
        } finally {
            try {
                client.stop();
            } catch (Exception ignored) {
                // nothing to release beyond what stop already did
            }
        }
    }
}
