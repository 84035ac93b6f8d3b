package dev.berth.ipam;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.host.error.InternalException;
import java.io.IOException;

/** JSON for the store records; a record that does not parse is reported with its key and never overwritten blindly. */
final class Records {
    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    private Records() {
    }

    static byte[] encode(Object record) {
        try {
            return JSON.writeValueAsBytes(record);
        } catch (IOException e) {
            throw new InternalException("cannot encode " + record + ": " + e.getMessage(), e);
        }
    }

    static <T> T decode(String key, byte[] value, Class<T> type) {
        try {
            return JSON.readValue(value, type);
        } catch (IOException e) {
            throw new InternalException("the store holds an unreadable record at " + key + ": " + e.getMessage(), e);
        }
    }
}
