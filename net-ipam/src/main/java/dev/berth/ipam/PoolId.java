package dev.berth.ipam;

import java.util.Objects;

/**
 * What Docker calls a pool by after RequestPool: the space, the pool and, when Docker asked for one, the sub-pool
 * addresses come from. It is derived from those alone, so every host names a shared pool the same way and the ID
 * survives restarts. Text form: {@code BerthGlobal/10.1.0.0/16} or {@code BerthGlobal/10.1.0.0/16/10.1.2.0/24}.
 */
public record PoolId(Space space, Cidr pool, Cidr subPool) {
    public PoolId {
        Objects.requireNonNull(space);
        Objects.requireNonNull(pool);
        if (subPool != null && !pool.contains(subPool)) {
            throw new IllegalArgumentException("sub-pool " + subPool + " is not inside pool " + pool);
        }
    }

    /** Where addresses are handed out from: the sub-pool if there is one, else the pool. */
    public Cidr range() {
        return subPool == null ? pool : subPool;
    }

    private static final java.util.Map<String, PoolId> PARSED = new java.util.concurrent.ConcurrentHashMap<>();

    /** Parses (and remembers: Docker names the same few pools in every call) a PoolID. */
    public static PoolId parse(String text) {
        PoolId known = text == null ? null : PARSED.get(text);
        if (known != null) {
            return known;
        }
        PoolId id = parseUncached(text);
        if (PARSED.size() < 4096) {
            PARSED.put(text, id);
        }
        return id;
    }

    private static PoolId parseUncached(String text) {
        String[] parts = text == null ? new String[0] : text.split("/", -1);
        if (parts.length != 3 && parts.length != 5) {
            throw new IllegalArgumentException("'" + text + "' is not a PoolID of this driver");
        }
        Space space = Space.ofDockerName(parts[0]).orElseThrow(
                () -> new IllegalArgumentException("'" + text + "' is not a PoolID of this driver"));
        try {
            Cidr pool = Cidr.parse(parts[1] + "/" + parts[2]);
            Cidr sub = parts.length == 5 ? Cidr.parse(parts[3] + "/" + parts[4]) : null;
            return new PoolId(space, pool, sub);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + text + "' is not a PoolID of this driver: " + e.getMessage());
        }
    }

    @Override
    public String toString() {
        return space.dockerName() + "/" + pool + (subPool == null ? "" : "/" + subPool);
    }
}
