package dev.berth.ipam;

import java.util.Arrays;
import java.util.Optional;

/**
 * The two address spaces this driver offers Docker (GetDefaultAddressSpaces). Docker picks the local one for
 * local-scope network drivers (bridge, macvlan) and the global one for global-scope drivers (berth/overlay); the ipam
 * option {@code berth.scope=global|local} overrides that, so that, for example, bridge networks on several hosts share
 * one cluster-wide pool.
 */
public enum Space {
    /** Per host, in this host's embedded store. */
    LOCAL("BerthLocal", "local"),
    /** Cluster-wide, in the cluster store: one pool shared by every host that requests the same subnet. */
    GLOBAL("BerthGlobal", "global");

    private final String dockerName;
    private final String keyName;

    Space(String dockerName, String keyName) {
        this.dockerName = dockerName;
        this.keyName = keyName;
    }

    /** The address space name Docker sees. */
    public String dockerName() {
        return dockerName;
    }

    /** The name in store keys and in the {@code berth.scope} option. */
    public String keyName() {
        return keyName;
    }

    public static Optional<Space> ofDockerName(String name) {
        return Arrays.stream(values()).filter(s -> s.dockerName.equals(name)).findFirst();
    }

    public static Optional<Space> ofKeyName(String name) {
        return Arrays.stream(values()).filter(s -> s.keyName.equals(name)).findFirst();
    }
}
