package dev.berth.docker;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * {@code GET /version}: the daemon's release and the API versions it speaks. Debian's docker.io 20.10 answers
 * {@code {"Version": "20.10.24+dfsg1", "ApiVersion": "1.41", "MinAPIVersion": "1.12", "Os": "linux", "Arch": "amd64"}}.
 */
public record Version(@JsonProperty("Version") String version,
                      @JsonProperty("ApiVersion") String apiVersion,
                      @JsonProperty("MinAPIVersion") String minApiVersion,
                      @JsonProperty("Os") String os,
                      @JsonProperty("Arch") String arch) {
    public Version {
        version = Nulls.string(version);
        apiVersion = Nulls.string(apiVersion);
        minApiVersion = Nulls.string(minApiVersion);
        os = Nulls.string(os);
        arch = Nulls.string(arch);
    }
}
