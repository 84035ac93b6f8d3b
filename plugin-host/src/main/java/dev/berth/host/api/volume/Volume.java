package dev.berth.host.api.volume;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Map;

/** A volume as {@code docker volume inspect} shows it; CreatedAt in RFC 3339, Status free-form. */
public record Volume(@JsonProperty("Name") String name,
                     @JsonProperty("Mountpoint") @JsonInclude(JsonInclude.Include.NON_EMPTY) String mountpoint,
                     @JsonProperty("CreatedAt") @JsonInclude(JsonInclude.Include.NON_EMPTY) String createdAt,
                     @JsonProperty("Status") @JsonInclude(JsonInclude.Include.NON_EMPTY) Map<String, Object> status) {
}
