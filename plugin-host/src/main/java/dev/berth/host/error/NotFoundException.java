package dev.berth.host.error;

/** The named object (volume, network, endpoint, pool) does not exist. */
public final class NotFoundException extends BerthException {
    public NotFoundException(String message) {
        super(message, null);
    }

    public NotFoundException(String message, Throwable cause) {
        super(message, cause);
    }

    @Override
    public int status() {
        return 404;
    }
}
