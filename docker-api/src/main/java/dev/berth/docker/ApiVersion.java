package dev.berth.docker;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** An Engine API version ({@code 1.41}), ordered numerically: 1.9 comes before 1.41. */
record ApiVersion(int major, int minor) implements Comparable<ApiVersion> {
    /** What this client speaks: Docker 20.10's API, the one whose JSON the records follow. */
    static final ApiVersion OURS = new ApiVersion(1, 41);
    private static final Pattern FORM = Pattern.compile("(\\d{1,4})\\.(\\d{1,4})");

    static ApiVersion parse(String text) {
        Matcher m = FORM.matcher(text == null ? "" : text.strip());
        if (!m.matches()) {
            throw new IllegalArgumentException("not an API version: '" + text + "'");
        }
        return new ApiVersion(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)));
    }

    /**
     * The version to speak with a daemon: ours, or the daemon's when it is older. A daemon too new to speak ours
     * (its {@code MinAPIVersion} above it, as Docker 29 has 1.44) gets its minimum: every field we read is still there.
     * A version the daemon does not state, or states unreadably, counts as ours.
     */
    static ApiVersion negotiate(Version server) {
        ApiVersion chosen = OURS;
        if (readable(server.apiVersion()) && parse(server.apiVersion()).compareTo(chosen) < 0) {
            chosen = parse(server.apiVersion());
        }
        if (readable(server.minApiVersion()) && parse(server.minApiVersion()).compareTo(chosen) > 0) {
            chosen = parse(server.minApiVersion());
        }
        return chosen;
    }

    /** The path prefix of every versioned call: {@code /v1.41}. */
    String prefix() {
        return "/v" + this;
    }

    @Override
    public int compareTo(ApiVersion other) {
        return major != other.major ? Integer.compare(major, other.major) : Integer.compare(minor, other.minor);
    }

    @Override
    public String toString() {
        return major + "." + minor;
    }

    private static boolean readable(String text) {
        return text != null && FORM.matcher(text.strip()).matches();
    }
}
