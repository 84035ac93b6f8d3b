package dev.berth.host.spi;

import dev.berth.host.api.ipam.AddressSpacesResponse;
import dev.berth.host.api.ipam.CapabilitiesResponse;
import dev.berth.host.api.ipam.ReleaseAddressRequest;
import dev.berth.host.api.ipam.ReleasePoolRequest;
import dev.berth.host.api.ipam.RequestAddressRequest;
import dev.berth.host.api.ipam.RequestAddressResponse;
import dev.berth.host.api.ipam.RequestPoolRequest;
import dev.berth.host.api.ipam.RequestPoolResponse;

/** Docker's IpamDriver protocol (libnetwork ipamapi) as a plain interface. */
public non-sealed interface IpamDriver extends PluginDriver {
    @Override
    default String interfaceName() {
        return "IpamDriver";
    }

    CapabilitiesResponse capabilities();

    AddressSpacesResponse defaultAddressSpaces();

    RequestPoolResponse requestPool(RequestPoolRequest request);

    void releasePool(ReleasePoolRequest request);

    RequestAddressResponse requestAddress(RequestAddressRequest request);

    void releaseAddress(ReleaseAddressRequest request);
}
