package dev.berth.docker;

/**
 * The daemon answered with an error status, or with a body that is not what its API documents. {@link #status()} is
 * the HTTP status; {@link #dockerMessage()} is Docker's own {@code {"message": ...}} (or the raw body when it sent no
 * JSON), the text the {@code docker} command would print.
 */
public sealed class DockerApiException extends DockerException permits DockerNotFoundException {
    private final int status;
    private final String dockerMessage;

    public DockerApiException(String call, int status, String dockerMessage) {
        this(call, status, dockerMessage, null);
    }

    DockerApiException(String call, int status, String dockerMessage, Throwable cause) {
        super(call + ": " + status + " " + dockerMessage, cause);
        this.status = status;
        this.dockerMessage = dockerMessage;
    }

    /** The HTTP status the daemon answered with (200 when the body of a success could not be read). */
    public int status() {
        return status;
    }

    /** Docker's message, for example {@code network nope not found}. */
    public String dockerMessage() {
        return dockerMessage;
    }
}
