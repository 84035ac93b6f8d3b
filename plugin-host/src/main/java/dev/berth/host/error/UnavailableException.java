package dev.berth.host.error;

/** Something the driver depends on (the store, the kernel, a daemon) cannot be reached now; retrying may work. */
public final class UnavailableException extends BerthException {
    public UnavailableException(String message) {
        super(message, null);
    }

    public UnavailableException(String message, Throwable cause) {
        super(message, cause);
    }

    @Override
    public int status() {
        return 503;
    }
}
