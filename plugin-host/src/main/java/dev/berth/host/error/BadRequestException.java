package dev.berth.host.error;

/** The caller asked for something invalid: a bad option, a malformed name or address. Nothing was changed. */
public final class BadRequestException extends BerthException {
    public BadRequestException(String message) {
        super(message, null);
    }

    public BadRequestException(String message, Throwable cause) {
        super(message, cause);
    }

    @Override
    public int status() {
        return 400;
    }
}
