package dev.berth.host.internal;

import dev.berth.host.error.BerthException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The one place where an exception becomes an HTTP status and the {@code Err} text Docker shows the user. */
final class ErrorMapper {
    private static final Logger LOG = LoggerFactory.getLogger(ErrorMapper.class);

    record Mapped(int status, String message) {
    }

    private ErrorMapper() {
    }

    static Mapped map(Throwable t, String method) {
        if (t instanceof ProtocolRefusal r) {
            return new Mapped(r.status(), r.getMessage());
        }
        if (t instanceof BerthException be) {
            return new Mapped(be.status(), message(be));
        }
        if (t instanceof IllegalArgumentException iae) {
            // thrown by wire-record constructors while validating a request
            return new Mapped(400, message(iae));
        }
        LOG.error("{} failed unexpectedly", method, t);
        return new Mapped(500, "internal error in " + method + ": " + t.getClass().getSimpleName()
                + (t.getMessage() == null ? "" : ": " + t.getMessage()));
    }

    private static String message(Throwable t) {
        String m = t.getMessage();
        return m == null || m.isBlank() ? t.getClass().getSimpleName() : m;
    }
}
