package dev.berth.docker;

/**
 * The unchecked error family of the Docker API client: the daemon answered with an error
 * ({@link DockerApiException}, {@link DockerNotFoundException} for 404), or it could not be reached in time
 * ({@link DockerUnavailableException}). Messages name the call, for example {@code GET /v1.41/networks/x}.
 */
public abstract sealed class DockerException extends RuntimeException
        permits DockerApiException, DockerUnavailableException {

    DockerException(String message, Throwable cause) {
        super(message, cause);
    }
}
