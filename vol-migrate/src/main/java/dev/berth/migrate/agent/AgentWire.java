package dev.berth.migrate.agent;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.migrate.MigrationException;
import dev.berth.migrate.MigrationException.Kind;
import dev.berth.migrate.transfer.Frames;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import java.util.Map;

/**
 * What two migration agents say to each other, besides the snapshot rounds of {@code transfer}: one request frame
 * per TLS connection ({@link Request}, its {@code op} naming what follows), one reply frame ({@link Reply}), framed as
 * the rounds' messages are ({@link Frames}) but up to {@link #MAX_FRAME} (a container's inspect fits).
 */
public final class AgentWire {
    public static final int MAX_FRAME = 1024 * 1024;
    static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
            .setDefaultPropertyInclusion(JsonInclude.Include.NON_NULL);

    private AgentWire() {
    }

    /**
     * @param op        {@code hello}, {@code prepare}, {@code image} (a chunked tar follows), {@code round} (a
     *                  transfer round follows), {@code commit}, {@code start}, {@code abort} or {@code status}
     * @param migration the migration's id
     * @param inspect   prepare and commit: the container's inspect, from which the target builds its create body
     * @param imageId   prepare: the image the container runs ({@code sha256:...})
     * @param volumes   prepare and commit: the volumes moved
     */
    public record Request(String op, String migration, JsonNode inspect, String imageId, List<Volume> volumes) {
    }

    /**
     * A volume as the agents speak of it.
     *
     * @param name       the Docker volume name
     * @param snapshot   commit: the final snapshot's short name
     * @param guid       commit: its GUID (unsigned decimal)
     * @param properties commit: ZFS properties to set on the volume's dataset on the target (quota, compression,
     *                   Berth's {@code berth:*} state but never its mount counts)
     */
    public record Volume(String name, String snapshot, String guid, Map<String, String> properties) {
        public static Volume named(String name) {
            return new Volume(name, null, null, null);
        }
    }

    /**
     * @param ok        false: {@code error} says why
     * @param host      hello: the target's host id
     * @param networks  hello/prepare: the networks the target's Docker has (by name)
     * @param needImage prepare: the target lacks the image
     * @param staged    prepare: per volume, the snapshots the target already holds of it from an earlier attempt
     *                  (short name to GUID), for an incremental resumed from the last common one
     * @param state     status: what the target knows of the migration ({@code unknown}, {@code created},
     *                  {@code running})
     * @param container commit/start: the container's id on the target
     * @param staging   prepare: the dataset below which the target receives volumes ({@code POOL/berth-incoming})
     */
    public record Reply(boolean ok, String error, String kind, String host, List<String> networks, Boolean needImage,
                        Map<String, Map<String, String>> staged, String state, String container, String staging) {
        public static Reply success() {
            return new Reply(true, null, null, null, null, null, null, null, null, null);
        }

        public static Reply failed(MigrationException e) {
            return new Reply(false, e.getMessage(), e.kind().name(), null, null, null, null, null, null, null);
        }

        /** The reply as an exception (when not ok). */
        public MigrationException toException(String peer) {
            Kind k;
            try {
                k = kind == null ? Kind.INTERNAL : Kind.valueOf(kind);
            } catch (IllegalArgumentException e) {
                k = Kind.INTERNAL;
            }
            return new MigrationException(k, peer + ": " + error);
        }
    }

    public static void write(OutputStream out, Object message) throws IOException {
        Frames.write(out, message, MAX_FRAME);
    }

    public static <T> T read(InputStream in, Class<T> type) throws IOException {
        return Frames.read(in, type, MAX_FRAME);
    }
}
