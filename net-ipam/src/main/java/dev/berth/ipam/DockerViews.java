package dev.berth.ipam;

import dev.berth.docker.DockerApi;
import dev.berth.docker.DockerException;
import dev.berth.docker.Network;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Docker side of reconciliation: this host's networks whose IPAM driver is berth/ipam, read through the Engine
 * API (list, then inspect each for its endpoints on this host). Any failure means "no answer", never "nothing in use".
 */
final class DockerViews {
    private static final Logger LOG = LoggerFactory.getLogger(DockerViews.class);
    static final String DRIVER = "berth/ipam";

    private DockerViews() {
    }

    /** The view over the daemon at {@code socket}; none when the socket is not configured. */
    static DockerView forSocket(String socket) {
        if (socket == null || socket.isBlank()) {
            return DockerView.NONE;
        }
        DockerApi api = DockerApi.connect(Path.of(socket));
        return new DockerView() {
            @Override
            public Optional<List<NetworkUse>> networks() {
                try {
                    List<NetworkUse> out = new ArrayList<>();
                    for (Network listed : api.networks()) {
                        if (ours(listed.ipam().driver())) {
                            out.addAll(uses(api.network(listed.id())));
                        }
                    }
                    return Optional.of(out);
                } catch (DockerException | IllegalArgumentException e) {
                    LOG.info("Docker did not answer for reconciliation: {}", e.getMessage());
                    return Optional.empty();
                }
            }

            @Override
            public void close() {
                api.close();
            }
        };
    }

    static boolean ours(String ipamDriver) {
        return ipamDriver.equals(DRIVER) || ipamDriver.startsWith(DRIVER + ":");
    }

    /** One use per pool of the network: its endpoints, auxiliary addresses and gateway in that pool. */
    static List<DockerView.NetworkUse> uses(Network n) {
        String scope = n.ipam().options().get(BerthIpam.SCOPE_OPTION);
        Space space = scope != null ? Space.ofKeyName(scope).orElse(Space.LOCAL)
                : n.scope().equals("global") || n.scope().equals("swarm") ? Space.GLOBAL : Space.LOCAL;
        List<DockerView.NetworkUse> out = new ArrayList<>();
        for (Network.IpamConfig c : n.ipam().config()) {
            if (c.subnet().isEmpty()) {
                continue;
            }
            Cidr pool = Cidr.parse(c.subnet());
            Cidr sub = c.ipRange().isEmpty() ? null : Cidr.parse(c.ipRange());
            List<byte[]> addresses = new ArrayList<>();
            for (Network.Endpoint e : n.containers().values()) {
                for (String a : List.of(e.ipv4Address(), e.ipv6Address())) {
                    addIfIn(pool, a, addresses);
                }
            }
            c.auxiliaryAddresses().values().forEach(a -> addIfIn(pool, a, addresses));
            byte[] gw = c.gateway().isEmpty() ? null : address(c.gateway());
            out.add(new DockerView.NetworkUse(n.name(), space, pool, sub,
                    gw != null && pool.contains(gw) ? gw : null, addresses));
        }
        return out;
    }

    private static void addIfIn(Cidr pool, String text, List<byte[]> into) {
        if (text == null || text.isEmpty()) {
            return;
        }
        byte[] a = address(text);
        if (pool.contains(a)) {
            into.add(a);
        }
    }

    private static byte[] address(String text) {
        int slash = text.indexOf('/');
        return Cidr.parseAddress(slash < 0 ? text : text.substring(0, slash));
    }
}
