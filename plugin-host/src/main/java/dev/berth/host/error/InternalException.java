package dev.berth.host.error;

/** A bug or an unexpected failure inside the driver. */
public final class InternalException extends BerthException {
    public InternalException(String message) {
        super(message, null);
    }

    public InternalException(String message, Throwable cause) {
        super(message, cause);
    }

    @Override
    public int status() {
        return 500;
    }
}
