package dev.berth.ipam;

import java.util.List;
import java.util.Optional;

/**
 * What this host's Docker really uses of this driver: the seam between reconciliation and the Docker Engine API
 * (asked from a background thread, never inside a plugin call: the daemon may hold locks while it calls us).
 */
public interface DockerView extends AutoCloseable {
    /** Docker does not answer, or reconciliation is off: nothing may be reclaimed on its word. */
    DockerView NONE = Optional::empty;

    /** Releases the connection to Docker. */
    @Override
    default void close() {
    }

    /** The networks on this host whose IPAM driver is this one; empty when Docker could not be asked. */
    Optional<List<NetworkUse>> networks();

    /**
     * One network's use of a pool on this host.
     *
     * @param addresses the endpoint addresses Docker has assigned on this host (gateway excluded)
     * @param gateway   the gateway, or null
     */
    record NetworkUse(String name, Space space, Cidr pool, Cidr subPool, byte[] gateway, List<byte[]> addresses) {
        public NetworkUse {
            addresses = List.copyOf(addresses);
        }
    }
}
