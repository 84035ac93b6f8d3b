package dev.berth.host.error;

/**
 * The one unchecked error family of Berth. Each kind carries its HTTP meaning; the plugin host maps them to a status and
 * {@code {"Err": message}} in one place. Messages are written for the operator who reads them in {@code docker} output.
 */
public abstract sealed class BerthException extends RuntimeException
        permits BadRequestException, NotFoundException, ConflictException, UnavailableException, InternalException {

    protected BerthException(String message, Throwable cause) {
        super(message, cause);
    }

    /** The HTTP status this error is answered with. */
    public abstract int status();
}
