package dev.berth.ipam;

/** The Docker side of reconciliation: the Engine API on this host's socket (wired in once the API client exists). */
final class DockerViews {
    private DockerViews() {
    }

    static DockerView forSocket(String socket) {
        return DockerView.NONE;
    }
}
