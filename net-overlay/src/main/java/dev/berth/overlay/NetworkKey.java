package dev.berth.overlay;

import java.util.Map;
import java.util.regex.Pattern;

/**
 * The cluster-wide identity of an overlay network. Outside swarm, Docker >= 23 gives each host's copy of a network its
 * own NetworkID, so the identity comes from what the user gives on every host: the option {@code berth.network=NAME}
 * (with {@code docker network create -d berth/overlay -o berth.network=NAME ...}), else the network's IPv4 subnet.
 * Two hosts creating "the same" network therefore agree on its key, its VNI and its peers.
 */
public record NetworkKey(String value) {
    public static final String OPTION = "berth.network";
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,62}");

    public NetworkKey {
        if (value == null || value.isEmpty()) {
            throw new IllegalArgumentException("a network key must not be empty");
        }
    }

    /**
     * From the network's generic options and its first IPv4 pool.
     *
     * @throws IllegalArgumentException when the name option is malformed or there is neither a name nor a subnet
     */
    public static NetworkKey of(Map<String, String> options, String ipv4Pool) {
        String name = options.get(OPTION);
        if (name != null) {
            if (!NAME.matcher(name).matches()) {
                throw new IllegalArgumentException(OPTION + " '" + name + "' must be 1-63 letters, digits, '.', '_' "
                        + "or '-', starting with a letter or digit");
            }
            return new NetworkKey("name=" + name);
        }
        if (ipv4Pool == null || ipv4Pool.isBlank()) {
            throw new IllegalArgumentException("an overlay network needs an IPv4 subnet or the option " + OPTION);
        }
        return new NetworkKey("subnet=" + ipv4Pool.replace('/', '_'));
    }

    /** As a store key segment. */
    public String segment() {
        return value;
    }

    @Override
    public String toString() {
        return value;
    }
}
