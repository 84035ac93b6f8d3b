package dev.berth.host.internal;

import dev.berth.host.api.EmptyRequest;
import dev.berth.host.api.EmptyResponse;
import dev.berth.host.api.ipam.ReleaseAddressRequest;
import dev.berth.host.api.ipam.ReleasePoolRequest;
import dev.berth.host.api.ipam.RequestAddressRequest;
import dev.berth.host.api.ipam.RequestPoolRequest;
import dev.berth.host.api.network.AllocateNetworkRequest;
import dev.berth.host.api.network.CreateEndpointRequest;
import dev.berth.host.api.network.CreateNetworkRequest;
import dev.berth.host.api.network.DiscoveryNotification;
import dev.berth.host.api.network.EndpointRequest;
import dev.berth.host.api.network.JoinRequest;
import dev.berth.host.api.network.NetworkRequest;
import dev.berth.host.api.network.ProgramExternalConnectivityRequest;
import dev.berth.host.api.volume.CreateRequest;
import dev.berth.host.api.volume.MountRequest;
import dev.berth.host.api.volume.VolumeRequest;
import dev.berth.host.spi.IpamDriver;
import dev.berth.host.spi.NetworkDriver;
import dev.berth.host.spi.PluginDriver;
import dev.berth.host.spi.VolumeDriver;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;

/** The only place that knows which protocol method reaches which driver call. Immutable once built. */
public final class RouteTable {
    private final Map<String, Route<?>> byPath;
    private final List<String> interfaces;

    private RouteTable(Map<String, Route<?>> byPath, List<String> interfaces) {
        this.byPath = Collections.unmodifiableMap(byPath);
        this.interfaces = List.copyOf(interfaces);
    }

    public static RouteTable of(List<PluginDriver> drivers) {
        Builder b = new Builder();
        for (PluginDriver driver : drivers) {
            if (b.interfaces.contains(driver.interfaceName())) {
                throw new IllegalArgumentException("two drivers implement " + driver.interfaceName());
            }
            b.interfaces.add(driver.interfaceName());
            if (driver instanceof VolumeDriver v) {
                volume(b, v);
            } else if (driver instanceof IpamDriver i) {
                ipam(b, i);
            } else if (driver instanceof NetworkDriver n) {
                network(b, n);
            }
        }
        return new RouteTable(b.routes, b.interfaces);
    }

    /** The route for a request path such as {@code /VolumeDriver.Create}, or null. */
    Route<?> find(String path) {
        return byPath.get(path);
    }

    /** The interfaces answered in {@code /Plugin.Activate}. */
    public List<String> interfaces() {
        return interfaces;
    }

    /** Every method served, for metrics and error messages. */
    public List<String> methods() {
        return List.copyOf(new ArrayList<>(byPath.values().stream().map(Route::method).toList()));
    }

    private static void volume(Builder b, VolumeDriver d) {
        b.call("VolumeDriver.Create", CreateRequest.class, d::create);
        b.call("VolumeDriver.Remove", VolumeRequest.class, d::remove);
        b.add("VolumeDriver.Mount", MountRequest.class, d::mount);
        b.call("VolumeDriver.Unmount", MountRequest.class, d::unmount);
        b.add("VolumeDriver.Path", VolumeRequest.class, d::path);
        b.add("VolumeDriver.Get", VolumeRequest.class, d::get);
        b.add("VolumeDriver.List", EmptyRequest.class, r -> d.list());
        b.add("VolumeDriver.Capabilities", EmptyRequest.class, r -> d.capabilities());
    }

    private static void ipam(Builder b, IpamDriver d) {
        b.add("IpamDriver.GetCapabilities", EmptyRequest.class, r -> d.capabilities());
        b.add("IpamDriver.GetDefaultAddressSpaces", EmptyRequest.class, r -> d.defaultAddressSpaces());
        b.add("IpamDriver.RequestPool", RequestPoolRequest.class, d::requestPool);
        b.call("IpamDriver.ReleasePool", ReleasePoolRequest.class, d::releasePool);
        b.add("IpamDriver.RequestAddress", RequestAddressRequest.class, d::requestAddress);
        b.call("IpamDriver.ReleaseAddress", ReleaseAddressRequest.class, d::releaseAddress);
    }

    private static void network(Builder b, NetworkDriver d) {
        b.add("NetworkDriver.GetCapabilities", EmptyRequest.class, r -> d.capabilities());
        b.call("NetworkDriver.CreateNetwork", CreateNetworkRequest.class, d::createNetwork);
        b.call("NetworkDriver.DeleteNetwork", NetworkRequest.class, d::deleteNetwork);
        b.add("NetworkDriver.AllocateNetwork", AllocateNetworkRequest.class, d::allocateNetwork);
        b.call("NetworkDriver.FreeNetwork", NetworkRequest.class, d::freeNetwork);
        b.add("NetworkDriver.CreateEndpoint", CreateEndpointRequest.class, d::createEndpoint);
        b.add("NetworkDriver.EndpointOperInfo", EndpointRequest.class, d::endpointOperInfo);
        b.call("NetworkDriver.DeleteEndpoint", EndpointRequest.class, d::deleteEndpoint);
        b.add("NetworkDriver.Join", JoinRequest.class, d::join);
        b.call("NetworkDriver.Leave", EndpointRequest.class, d::leave);
        b.call("NetworkDriver.DiscoverNew", DiscoveryNotification.class, d::discoverNew);
        b.call("NetworkDriver.DiscoverDelete", DiscoveryNotification.class, d::discoverDelete);
        b.call("NetworkDriver.ProgramExternalConnectivity", ProgramExternalConnectivityRequest.class,
                d::programExternalConnectivity);
        b.call("NetworkDriver.RevokeExternalConnectivity", EndpointRequest.class, d::revokeExternalConnectivity);
    }

    private static final class Builder {
        final Map<String, Route<?>> routes = new LinkedHashMap<>();
        final List<String> interfaces = new ArrayList<>();

        <Q> void add(String method, Class<Q> type, Function<Q, ?> handler) {
            routes.put("/" + method, new Route<>(method, type, handler));
        }

        <Q> void call(String method, Class<Q> type, Consumer<Q> handler) {
            add(method, type, q -> {
                handler.accept(q);
                return EmptyResponse.INSTANCE;
            });
        }
    }
}
