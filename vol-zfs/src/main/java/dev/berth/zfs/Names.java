package dev.berth.zfs;

import dev.berth.host.error.BadRequestException;
import java.util.regex.Pattern;

/**
 * Volume and snapshot names: Docker's character set ({@code [a-zA-Z0-9][a-zA-Z0-9_.-]+}), so never a {@code /}, a
 * leading {@code -} or {@code .}, an {@code @} or a space; never {@code ..}; at most 128 characters so that the dataset
 * name ({@code parent/name@snapshot}) stays far below ZFS's 255.
 */
public final class Names {
    private static final Pattern DOCKER = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9_.-]+");
    static final int MAX = 128;

    private Names() {
    }

    /** The name if valid, else a bad request naming what is wrong. */
    public static String volume(String name) {
        return check(name, "volume");
    }

    public static String snapshot(String name) {
        return check(name, "snapshot");
    }

    private static String check(String name, String what) {
        if (name == null || name.isEmpty()) {
            throw new BadRequestException("a " + what + " name is required");
        }
        if (name.length() > MAX) {
            throw new BadRequestException(what + " name '" + name.substring(0, 20) + "...' is longer than " + MAX
                    + " characters");
        }
        if (name.contains("..")) {
            throw new BadRequestException(what + " name '" + name + "' contains '..'");
        }
        if (!DOCKER.matcher(name).matches()) {
            throw new BadRequestException(what + " name '" + name + "' is not valid: use at least two of a-z A-Z 0-9 "
                    + "_ . -, starting with a letter or digit (no '/', '@', spaces or leading '-')");
        }
        return name;
    }
}
