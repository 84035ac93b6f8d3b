package dev.berth.host;

import java.util.Optional;

/** Something a plugin depends on (its store, the kernel, a daemon), reported by {@code GET /status}. */
public interface HealthCheck {
    /** Short name, for example "store". */
    String name();

    /** Empty when healthy, otherwise what is wrong. Must answer quickly (bounded by its own timeout). */
    Optional<String> problem();
}
