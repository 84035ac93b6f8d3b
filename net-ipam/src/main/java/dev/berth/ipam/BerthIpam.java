package dev.berth.ipam;

import dev.berth.host.HealthCheck;
import dev.berth.host.api.ipam.AddressSpacesResponse;
import dev.berth.host.api.ipam.CapabilitiesResponse;
import dev.berth.host.api.ipam.ReleaseAddressRequest;
import dev.berth.host.api.ipam.ReleasePoolRequest;
import dev.berth.host.api.ipam.RequestAddressRequest;
import dev.berth.host.api.ipam.RequestAddressResponse;
import dev.berth.host.api.ipam.RequestPoolRequest;
import dev.berth.host.api.ipam.RequestPoolResponse;
import dev.berth.host.error.BadRequestException;
import dev.berth.host.error.UnavailableException;
import dev.berth.host.spi.IpamDriver;
import dev.berth.kv.KvException;
import dev.berth.kv.KvUnavailableException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The IpamDriver protocol over the two spaces: turns Docker's strings into typed values (a precise 400 for anything
 * malformed, before anything changes), picks the space, and maps store outages to 503 so the daemon's retry finds the
 * driver again. Pool options: {@code berth.scope=local|global} overrides the space Docker asked for.
 */
public final class BerthIpam implements IpamDriver, HealthCheck, AutoCloseable {
    /** The ipam option that picks the address space regardless of the network driver's scope. */
    public static final String SCOPE_OPTION = "berth.scope";
    /** Where Docker puts the endpoint's MAC when RequiresMACAddress is set. */
    public static final String MAC_OPTION = "com.docker.network.endpoint.macaddress";
    private static final Set<String> POOL_OPTIONS = Set.of(SCOPE_OPTION);

    private final SpaceAllocator local;
    private final SpaceAllocator global;
    private final boolean requiresMac;
    private final Reconciler reconciler;
    private final List<AutoCloseable> resources;

    BerthIpam(SpaceAllocator local, SpaceAllocator global, boolean requiresMac, Reconciler reconciler,
              List<AutoCloseable> resources) {
        this.local = local;
        this.global = global;
        this.requiresMac = requiresMac;
        this.reconciler = reconciler;
        this.resources = List.copyOf(resources);
        local.otherSpace(global::heldPools);
        global.otherSpace(local::heldPools);
    }

    @Override
    public CapabilitiesResponse capabilities() {
        // no replay: every allocation is persisted, so Docker need not replay them at daemon start
        return new CapabilitiesResponse(requiresMac, false);
    }

    @Override
    public AddressSpacesResponse defaultAddressSpaces() {
        return new AddressSpacesResponse(Space.LOCAL.dockerName(), Space.GLOBAL.dockerName());
    }

    @Override
    public RequestPoolResponse requestPool(RequestPoolRequest request) {
        Space space = Space.ofDockerName(request.addressSpace()).orElseThrow(() -> new BadRequestException(
                "unknown address space '" + request.addressSpace() + "'; this driver has "
                        + Space.LOCAL.dockerName() + " and " + Space.GLOBAL.dockerName()));
        for (String key : request.options().keySet()) {
            if (key.startsWith("berth.") && !POOL_OPTIONS.contains(key)) {
                throw new BadRequestException("unknown ipam option " + key + "; valid: " + POOL_OPTIONS);
            }
        }
        String scope = request.options().get(SCOPE_OPTION);
        if (scope != null) {
            space = Space.ofKeyName(scope).orElseThrow(() -> new BadRequestException(
                    SCOPE_OPTION + " must be local or global, not '" + scope + "'"));
        }
        Cidr pool = request.pool().isEmpty() ? null : cidr(request.pool(), "Pool");
        Cidr subPool = request.subPool().isEmpty() ? null : cidr(request.subPool(), "SubPool");
        SpaceAllocator allocator = allocator(space);
        PoolId id = guarded(() -> allocator.requestPool(pool, subPool, request.v6()));
        return new RequestPoolResponse(id.toString(), id.pool().toString(), Map.of());
    }

    @Override
    public void releasePool(ReleasePoolRequest request) {
        PoolId id = poolId(request.poolId());
        guarded(() -> {
            allocator(id.space()).releasePool(id);
            return null;
        });
    }

    @Override
    public RequestAddressResponse requestAddress(RequestAddressRequest request) {
        PoolId id = poolId(request.poolId());
        byte[] address = request.address().isEmpty() ? null : address(request.address(), id);
        String mac = request.options().get(MAC_OPTION);
        String assigned = guarded(() -> allocator(id.space()).requestAddress(id, address, request.isGatewayRequest(),
                mac == null || mac.isEmpty() ? null : mac));
        return new RequestAddressResponse(assigned, Map.of());
    }

    @Override
    public void releaseAddress(ReleaseAddressRequest request) {
        PoolId id = poolId(request.poolId());
        byte[] address = address(request.address(), id);
        guarded(() -> {
            allocator(id.space()).releaseAddress(id, address);
            return null;
        });
    }

    @Override
    public String name() {
        return "store";
    }

    @Override
    public Optional<String> problem() {
        Optional<String> g = global.store().problem().map(p -> "cluster store: " + p);
        return g.isPresent() || global.store() == local.store() ? g
                : local.store().problem().map(p -> "local store: " + p);
    }

    /** One reconciliation round now (tests; the service runs them on a timer). */
    Reconciler.Report reconcile() {
        return reconciler.runOnce();
    }

    /** Stops reconciliation and closes the stores, in that order. */
    @Override
    public void close() {
        for (AutoCloseable r : resources) {
            try {
                r.close();
            } catch (Exception e) {
                org.slf4j.LoggerFactory.getLogger(BerthIpam.class).warn("closing failed: {}", e.toString());
            }
        }
    }

    SpaceAllocator allocator(Space space) {
        return space == Space.LOCAL ? local : global;
    }

    private static <T> T guarded(Supplier<T> call) {
        try {
            return call.get();
        } catch (KvUnavailableException e) {
            throw new UnavailableException("the store is unreachable: " + e.getMessage(), e);
        } catch (KvException e) {
            throw new UnavailableException("store error: " + e.getMessage(), e);
        }
    }

    private static PoolId poolId(String text) {
        try {
            return PoolId.parse(text);
        } catch (IllegalArgumentException e) {
            throw new dev.berth.host.error.NotFoundException(e.getMessage());
        }
    }

    private static Cidr cidr(String text, String field) {
        try {
            return Cidr.parse(text);
        } catch (IllegalArgumentException e) {
            throw new BadRequestException(field + ": " + e.getMessage());
        }
    }

    /** A plain address, or address/prefix with the pool's own prefix length. */
    private static byte[] address(String text, PoolId id) {
        String plain = text;
        int slash = text.indexOf('/');
        if (slash >= 0) {
            plain = text.substring(0, slash);
            if (!text.substring(slash + 1).equals(Integer.toString(id.pool().prefix()))) {
                throw new BadRequestException("address " + text + " does not have the prefix length of pool " + id.pool());
            }
        }
        try {
            byte[] a = Cidr.parseAddress(plain);
            if (!id.pool().contains(a)) {
                throw new BadRequestException("address " + plain + " is not in pool " + id.pool());
            }
            return a;
        } catch (IllegalArgumentException e) {
            throw new BadRequestException(e.getMessage());
        }
    }
}
