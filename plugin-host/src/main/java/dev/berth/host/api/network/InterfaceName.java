package dev.berth.host.api.network;

import com.fasterxml.jackson.annotation.JsonProperty;

/** The interface left in the host namespace (SrcName) that Docker moves into the sandbox and names DstPrefix + N. */
public record InterfaceName(@JsonProperty("SrcName") String srcName,
                            @JsonProperty("DstPrefix") String dstPrefix) {
}
