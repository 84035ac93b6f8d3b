package dev.berth.wireguard.driver;

import dev.berth.netlink.Family;
import dev.berth.netlink.IpPrefix;
import dev.berth.netlink.Ipv4Conf;
import dev.berth.netlink.Link;
import dev.berth.netlink.Netlink;
import dev.berth.netlink.NetlinkException;
import dev.berth.netlink.Route;
import dev.berth.netlink.Rule;
import dev.berth.netlink.Veth;
import dev.berth.wireguard.DeviceConfig;
import dev.berth.wireguard.DeviceState;
import dev.berth.wireguard.PeerConfig;
import dev.berth.wireguard.PeerState;
import dev.berth.wireguard.PrivateKey;
import dev.berth.wireguard.PublicKey;
import dev.berth.wireguard.WireGuardControl;
import dev.berth.wireguard.WireGuardLinks;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One network's data plane in the host namespace: routed /32s with proxy ARP (set over netlink). Table {@code table} holds
 * {@code LOCAL/32 dev wv<id>} for each local endpoint, {@code REMOTE/32 dev <device>} for each remote one and an
 * {@code unreachable default}; rules {@code iif wv<id> lookup table} and {@code iif <device> lookup table} send only
 * this network's traffic there, so networks never reach each other or the host's main table. All through netlink.
 */
public final class KernelWgDataplane implements WgDataplane {
    private static final Logger LOG = LoggerFactory.getLogger(KernelWgDataplane.class);
    static final int KEEPALIVE = 25;

    private final Netlink nl;
    private final WireGuardLinks links;
    private final WireGuardControl wg;
    private volatile PrivateKey key;
    private final dev.berth.wireguard.PresharedKey psk;
    private final String device;
    private final int table;
    private final int port;
    private final int mtu;
    private final String subnet;

    public KernelWgDataplane(Netlink nl, WireGuardLinks links, WireGuardControl wg, PrivateKey key,
                             String device, int table, int port, int mtu) {
        this(nl, links, wg, key, device, table, port, mtu, null, null);
    }

    /**
     * With the network's preshared key ({@code psk}, null for none), set on every peer, and its IPv4 subnet
     * ({@code subnet}, such as {@code 10.89.0.0/24}; null for none): routed to the device in the network's table, so
     * that proxy ARP answers for any address of the network at once. A container that asks for an address before
     * its endpoint's record arrives then has its answer (packets to it wait in WireGuard, which has no peer for
     * them yet, and flow as soon as the peer's allowed IPs do), instead of a failed neighbour entry the kernel only
     * retries a second later.
     */
    public KernelWgDataplane(Netlink nl, WireGuardLinks links, WireGuardControl wg, PrivateKey key,
                             String device, int table, int port, int mtu, dev.berth.wireguard.PresharedKey psk,
                             String subnet) {
        this.subnet = subnet;
        this.psk = psk == null ? dev.berth.wireguard.PresharedKey.NONE : psk;
        this.nl = nl;
        this.links = links;
        this.wg = wg;
        this.key = key;
        this.device = device;
        this.table = table;
        this.port = port;
        this.mtu = mtu;
    }

    public String device() {
        return device;
    }

    @Override
    public void ensureNetwork() {
        DeviceState had = null;
        if (!links.exists(device)) {
            links.create(device);
        } else {
            had = wg.read(device);
        }
        // only what differs: wireguard-go rebinds its socket on every listen_port set, which would drop a packet or
        // two of a device that kept running through a plugin restart
        DeviceConfig changes = DeviceConfig.unchanged();
        if (had == null || !key.equals(had.privateKey())) {
            changes = changes.withPrivateKey(key);
        }
        if (had == null || had.listenPort() != port) {
            changes = changes.withListenPort(port);
        }
        wg.configure(device, changes);
        nl.linkSetMtu(device, mtu);
        nl.linkSetUp(device);
        nl.routeReplace(new Route(Family.INET, null, null, 0, table, Route.SCOPE_UNIVERSE, Route.PROTO_BOOT,
                Route.TYPE_UNREACHABLE, 0, null));
        if (subnet != null) {
            nl.routeReplace(Route.to(subnet).withTable(table).withScope(Route.SCOPE_LINK)
                    .withOif(nl.linkByName(device).index()));
        }
        addRule(device);
    }

    @Override
    public boolean deviceReady() {
        if (!links.exists(device)) {
            return false;
        }
        DeviceState st = wg.read(device);
        return key.equals(st.privateKey()) && st.listenPort() == port
                && nl.linkFind(device).map(l -> l.attrs().up()).orElse(false);
    }

    @Override
    public void deleteNetwork() {
        links.delete(device);
        for (Rule r : nl.ruleList(Family.INET)) {
            if (r.table() == table) {
                ignoreMissing(() -> nl.ruleDel(r));
            }
        }
        for (Route r : nl.routeList(Family.INET, table)) {
            ignoreMissing(() -> nl.routeDel(r));
        }
    }

    @Override
    public String createEndpoint(String endpointId, String ipv4, String requestedMac) {
        String host = WgNames.hostSide(endpointId);
        String container = WgNames.containerSide(endpointId);
        if (nl.linkFind(container).isPresent() && nl.linkFind(host).isPresent()) {
            return container; // Join again (a retry): the pair is there
        }
        try {
            nl.linkAdd(new Veth(dev.berth.netlink.LinkAttrs.named(host).withMtu(mtu),
                    requestedMac == null ? dev.berth.netlink.LinkAttrs.named(container).withMtu(mtu)
                            : dev.berth.netlink.LinkAttrs.named(container).withMtu(mtu)
                                    .withMac(dev.berth.netlink.MacAddress.parse(requestedMac))));
            // over netlink, not /proc/sys: that is read-only in a managed plugin
            nl.linkSetIpv4Conf(host, Ipv4Conf.PROXY_ARP, 1);
            // answer at once: the kernel would delay each proxy ARP answer by up to 0.8 s, which a new container
            // (and every peer asking for it) waits through before its first packet
            nl.linkSetProxyArpDelay(host, java.time.Duration.ZERO);
            nl.linkSetUp(host);
            int index = nl.linkByName(host).index();
            // the container's address pinned to its MAC (Docker keeps the veth end's MAC when it moves it in):
            // traffic from other hosts often arrives before Docker has addressed the container, and an ARP from
            // here then would fail and be retried only a second later
            dev.berth.netlink.MacAddress mac = nl.linkByName(container).attrs().mac();
            if (mac != null) {
                nl.neighReplace(dev.berth.netlink.Neigh.of(index, IpPrefix.parse(ipv4 + "/32").address(), mac));
            }
            nl.routeReplace(route(ipv4).withOif(index));
            addRule(host);
            return container;
        } catch (RuntimeException e) {
            try {
                deleteEndpoint(endpointId, ipv4);
            } catch (RuntimeException rollback) {
                LOG.error("rolling back endpoint {} failed too: {}", endpointId, rollback.toString());
                e.addSuppressed(rollback);
            }
            throw e;
        }
    }

    @Override
    public void deleteEndpoint(String endpointId, String ipv4) {
        String host = WgNames.hostSide(endpointId);
        ignoreMissing(() -> nl.linkDel(host));
        ignoreMissing(() -> nl.ruleDel(Rule.iif(host, table, WgNames.RULE_PRIORITY)));
    }

    @Override
    public void syncPeers(Map<PublicKey, RemoteHost> peers) {
        DeviceState state = wg.read(device);
        List<PeerConfig> changes = new ArrayList<>();
        for (PeerState p : state.peers()) {
            if (!peers.containsKey(p.publicKey())) {
                changes.add(PeerConfig.removal(p.publicKey()));
            }
        }
        Set<IpPrefix> remote = new HashSet<>();
        peers.forEach((k, h) -> {
            List<IpPrefix> ips = h.ipv4s().stream().map(ip -> IpPrefix.parse(ip + "/32")).toList();
            remote.addAll(ips);
            PeerState had = state.peer(k).orElse(null);
            int keepalive = h.announced() ? 0 : KEEPALIVE;
            if (had == null || !h.endpoint().equals(had.endpoint()) || had.persistentKeepalive() != keepalive
                    || !psk.equals(had.presharedKey())
                    || !new HashSet<>(had.allowedIps()).equals(new HashSet<>(ips))) {
                changes.add(PeerConfig.of(k).withEndpoint(h.endpoint()).withPersistentKeepalive(keepalive)
                        .withPresharedKey(psk).withReplaceAllowedIps(true).withAllowedIps(ips));
            }
        });
        if (!changes.isEmpty()) {
            wg.configure(device, DeviceConfig.unchanged().withPeers(changes));
        }
        int index = nl.linkByName(device).index();
        Set<IpPrefix> routed = new HashSet<>();
        for (Route r : nl.routeList(Family.INET, table)) {
            if (r.oif() == index && r.dst().length() == 32) {
                if (remote.contains(r.dst())) {
                    routed.add(r.dst());
                } else {
                    ignoreMissing(() -> nl.routeDel(r));
                }
            }
        }
        for (IpPrefix p : remote) {
            if (!routed.contains(p)) {
                nl.routeReplace(route(p.address().getHostAddress()).withOif(index));
            }
        }
    }

    @Override
    public void switchKey(PrivateKey next) {
        key = next; // first: a later ensureNetwork (restore) gives the device this key even if the call below fails
        wg.configure(device, DeviceConfig.unchanged().withPrivateKey(next));
    }

    private Route route(String ipv4) {
        return Route.to(ipv4 + "/32").withTable(table).withScope(Route.SCOPE_LINK);
    }

    private void addRule(String iif) {
        try {
            nl.ruleAdd(Rule.iif(iif, table, WgNames.RULE_PRIORITY));
        } catch (NetlinkException e) {
            if (e.kind() != NetlinkException.Kind.EXISTS) {
                throw e;
            }
        }
    }

    private static void ignoreMissing(Runnable r) {
        try {
            r.run();
        } catch (NetlinkException e) {
            if (!e.isNotFound()) {
                throw e;
            }
        }
    }

    /** The links of this network on this host (for tests and status). */
    List<String> linkNames() {
        return nl.linkList().stream().map(Link::name).filter(n -> n.equals(device)).toList();
    }
}
