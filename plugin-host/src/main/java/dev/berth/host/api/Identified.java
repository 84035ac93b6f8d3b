package dev.berth.host.api;

/** A request that names the Docker objects it concerns, for the one log line each call writes. */
public interface Identified {
    /** For example {@code network=3f2a endpoint=9bc1}; empty when the call names nothing. */
    String ids();
}
