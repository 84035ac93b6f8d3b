package dev.berth.dns;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * What one host publishes about one running container ({@code dns/records/<host-id>/<container-id>}, under the
 * host's lease so that a dead host's names go with it): its name, its service and ports (from labels), and its
 * attachments to networks with addresses and aliases.
 *
 * @param service the value of the service label ({@code berth.service=web}), or null
 * @param ports   from the ports label ({@code berth.service.ports=80/tcp,53/udp}), for SRV answers
 * @param sources other addresses the container asks from on its own host: its docker_gwbridge address (an overlay
 *                container's default route, so its queries reach this host's server from there)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ContainerRecord(@JsonProperty("host") String host,
                              @JsonProperty("id") String id,
                              @JsonProperty("name") String name,
                              @JsonProperty("service") String service,
                              @JsonProperty("ports") List<ServicePort> ports,
                              @JsonProperty("networks") List<Attachment> networks,
                              @JsonProperty("sources") List<String> sources) {

    /** One network the container is attached to; the network is named as the user named it on every host. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Attachment(@JsonProperty("network") String network,
                             @JsonProperty("ipv4") String ipv4,
                             @JsonProperty("ipv6") String ipv6,
                             @JsonProperty("aliases") List<String> aliases) {
        public Attachment {
            aliases = aliases == null ? List.of() : List.copyOf(aliases);
        }
    }

    /** A port of the service, e.g. 80/tcp. */
    public record ServicePort(@JsonProperty("port") int port, @JsonProperty("proto") String proto) {
    }

    public ContainerRecord {
        ports = ports == null ? List.of() : List.copyOf(ports);
        networks = networks == null ? List.of() : List.copyOf(networks);
        sources = sources == null ? List.of() : List.copyOf(sources);
    }

    public ContainerRecord(String host, String id, String name, String service, List<ServicePort> ports,
                           List<Attachment> networks) {
        this(host, id, name, service, ports, networks, List.of());
    }
}
