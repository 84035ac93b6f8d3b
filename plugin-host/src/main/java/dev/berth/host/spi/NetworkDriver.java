package dev.berth.host.spi;

import dev.berth.host.api.network.AllocateNetworkRequest;
import dev.berth.host.api.network.AllocateNetworkResponse;
import dev.berth.host.api.network.CapabilitiesResponse;
import dev.berth.host.api.network.CreateEndpointRequest;
import dev.berth.host.api.network.CreateEndpointResponse;
import dev.berth.host.api.network.CreateNetworkRequest;
import dev.berth.host.api.network.DiscoveryNotification;
import dev.berth.host.api.network.EndpointInfoResponse;
import dev.berth.host.api.network.EndpointRequest;
import dev.berth.host.api.network.JoinRequest;
import dev.berth.host.api.network.JoinResponse;
import dev.berth.host.api.network.NetworkRequest;
import dev.berth.host.api.network.ProgramExternalConnectivityRequest;
import java.util.Map;

/**
 * Docker's remote NetworkDriver protocol (libnetwork CNM) as a plain interface. The optional calls (swarm allocation,
 * discovery, external connectivity) default to "nothing to do".
 */
public non-sealed interface NetworkDriver extends PluginDriver {
    @Override
    default String interfaceName() {
        return "NetworkDriver";
    }

    CapabilitiesResponse capabilities();

    void createNetwork(CreateNetworkRequest request);

    void deleteNetwork(NetworkRequest request);

    CreateEndpointResponse createEndpoint(CreateEndpointRequest request);

    void deleteEndpoint(EndpointRequest request);

    JoinResponse join(JoinRequest request);

    void leave(EndpointRequest request);

    default EndpointInfoResponse endpointOperInfo(EndpointRequest request) {
        return new EndpointInfoResponse(Map.of());
    }

    default AllocateNetworkResponse allocateNetwork(AllocateNetworkRequest request) {
        return new AllocateNetworkResponse(Map.of());
    }

    default void freeNetwork(NetworkRequest request) {
    }

    default void discoverNew(DiscoveryNotification notification) {
    }

    default void discoverDelete(DiscoveryNotification notification) {
    }

    default void programExternalConnectivity(ProgramExternalConnectivityRequest request) {
    }

    default void revokeExternalConnectivity(EndpointRequest request) {
    }
}
