package dev.berth.docker;

/**
 * The daemon could not be asked: its socket is missing or refuses connections, it did not answer within the timeout,
 * the connection broke, the caller's thread was interrupted, or the client was closed. Worth retrying later.
 */
public final class DockerUnavailableException extends DockerException {
    public DockerUnavailableException(String message) {
        super(message, null);
    }

    public DockerUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
