package dev.berth.docker;

/** 404: the daemon has no such network, container or image (or, rarely, does not know the API path). */
public final class DockerNotFoundException extends DockerApiException {
    public DockerNotFoundException(String call, String dockerMessage) {
        super(call, 404, dockerMessage);
    }

    DockerNotFoundException(String call, String dockerMessage, Throwable cause) {
        super(call, 404, dockerMessage, cause);
    }
}
