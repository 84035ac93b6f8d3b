package dev.berth.host.api;

import com.fasterxml.jackson.annotation.JsonProperty;

/** The body of every failed call; Docker reads {@code Err}. */
public record ErrorResponse(@JsonProperty("Err") String err) {
}
