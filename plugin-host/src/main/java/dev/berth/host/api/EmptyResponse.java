package dev.berth.host.api;

import com.fasterxml.jackson.annotation.JsonAutoDetect;

/** A successful call with nothing to say: serialised as {@code {}}. */
@JsonAutoDetect
public record EmptyResponse() {
    public static final EmptyResponse INSTANCE = new EmptyResponse();
}
