package dev.berth.kv;

import java.util.regex.Pattern;

/** What a key may look like: path segments of printable characters, no empty, "." or ".." segment, at most 512 bytes. */
public final class Keys {
    private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9._:@=+,-]+");

    private Keys() {
    }

    public static String check(String key) {
        if (key == null || key.isEmpty()) {
            throw new IllegalArgumentException("a key must not be empty");
        }
        checkPath(key, "key");
        return key;
    }

    /** A prefix is empty (everything) or a key-like path, optionally ending in '/'. */
    public static String checkPrefix(String prefix) {
        if (prefix == null) {
            throw new IllegalArgumentException("a prefix must not be null (use \"\" for everything)");
        }
        if (prefix.isEmpty()) {
            return prefix;
        }
        checkPath(prefix.endsWith("/") ? prefix.substring(0, prefix.length() - 1) : prefix, "prefix");
        return prefix;
    }

    private static void checkPath(String path, String what) {
        if (path.length() > 512) {
            throw new IllegalArgumentException(what + " longer than 512 characters");
        }
        for (String segment : path.split("/", -1)) {
            if (segment.isEmpty() || segment.equals(".") || segment.equals("..") || !SEGMENT.matcher(segment).matches()) {
                throw new IllegalArgumentException(what + " '" + path + "': segments must be non-empty and hold only "
                        + "letters, digits and . _ : @ = + , -");
            }
        }
    }
}
