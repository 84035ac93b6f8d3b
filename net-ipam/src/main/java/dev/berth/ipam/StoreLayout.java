package dev.berth.ipam;

/**
 * Where the driver keeps things in a store (keys relative to the store's prefix):
 * <pre>
 * ipam/&lt;space&gt;/pools/10.1.0.0_16            a {@link PoolRecord}
 * ipam/&lt;space&gt;/addrs/10.1.0.0_16/10.1.0.7   an {@link AddressRecord}
 * ipam/hosts/&lt;host-id&gt;                       present while the host's plugin runs (under its lease)
 * </pre>
 */
final class StoreLayout {
    static final String HOSTS = "ipam/hosts/";

    private StoreLayout() {
    }

    static String pools(Space space) {
        return "ipam/" + space.keyName() + "/pools/";
    }

    static String pool(Space space, Cidr pool) {
        return pools(space) + segment(pool);
    }

    static String addresses(Space space, Cidr pool) {
        return "ipam/" + space.keyName() + "/addrs/" + segment(pool) + "/";
    }

    static String address(Space space, Cidr pool, byte[] address) {
        return addresses(space, pool) + Cidr.format(address);
    }

    static String host(String hostId) {
        return HOSTS + hostId;
    }

    /** The last segment of a key, e.g. the address of an address key. */
    static String last(String key) {
        return key.substring(key.lastIndexOf('/') + 1);
    }

    private static String segment(Cidr pool) {
        return pool.toString().replace('/', '_');
    }
}
