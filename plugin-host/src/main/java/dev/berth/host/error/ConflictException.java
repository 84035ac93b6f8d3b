package dev.berth.host.error;

/** The request clashes with current state: a name in use, a volume still mounted, an overlapping pool. */
public final class ConflictException extends BerthException {
    public ConflictException(String message) {
        super(message, null);
    }

    public ConflictException(String message, Throwable cause) {
        super(message, cause);
    }

    @Override
    public int status() {
        return 409;
    }
}
