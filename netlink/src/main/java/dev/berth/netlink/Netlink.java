package dev.berth.netlink;

import java.util.List;
import java.util.Optional;

/**
 * The kernel's network state in one network namespace: links, addresses, routes, neighbours and the forwarding
 * database, shaped like iproute2. {@link NetlinkHandle} is the real one; {@code FakeNetlink} (test-jar) models the same
 * behaviour in memory, and {@code NetlinkContract} checks both against one set of expectations.
 *
 * <p>Links are named as iproute2 names them ({@code dev NAME}); records read back (addresses, routes, neighbours)
 * refer to links by index, as the kernel does. Every failure is a {@link NetlinkException}; its
 * {@link NetlinkException#kind() kind} says whether the thing existed already, was missing, and so on.
 */
public interface Netlink extends AutoCloseable {

    // ---- links

    /**
     * Creates a link; fails with {@code EXISTS} if the name is taken. Equivalent to:
     * {@code ip link add NAME [mtu N] [address MAC] [master BR] [netns NS] [up] type KIND ...} (see {@link Veth},
     * {@link Vxlan}, {@link Bridge}, {@link Dummy} for each kind's options).
     */
    void linkAdd(Link link);

    /** Deletes a link (a veth takes its peer with it). Equivalent to: {@code ip link del NAME}. */
    void linkDel(String name);

    /** Every link. Equivalent to: {@code ip -d link show}. */
    List<Link> linkList();

    /** One link; {@code NOT_FOUND} if there is none. Equivalent to: {@code ip -d link show dev NAME}. */
    Link linkByName(String name);

    /** One link by interface index; {@code NOT_FOUND} if there is none. */
    Link linkByIndex(int index);

    /** The link named {@code name}, or empty. */
    default Optional<Link> linkFind(String name) {
        try {
            return Optional.of(linkByName(name));
        } catch (NetlinkException e) {
            if (e.isNotFound()) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /** Equivalent to: {@code ip link set dev NAME up}. */
    void linkSetUp(String name);

    /** Equivalent to: {@code ip link set dev NAME down}. */
    void linkSetDown(String name);

    /** Equivalent to: {@code ip link set dev NAME mtu MTU}. */
    void linkSetMtu(String name, int mtu);

    /** Enslaves a link to a bridge. Equivalent to: {@code ip link set dev NAME master MASTER}. */
    void linkSetMaster(String name, String master);

    /** Equivalent to: {@code ip link set dev NAME nomaster}. */
    void linkSetNoMaster(String name);

    /** Equivalent to: {@code ip link set dev NAME address MAC}. */
    void linkSetMac(String name, MacAddress mac);

    /**
     * Renames a link; {@code EXISTS} if the new name is taken. Recent kernels (6.18 was checked) rename a link that is
     * up; older ones answer {@code BUSY}. Equivalent to: {@code ip link set dev NAME name NEW}.
     */
    void linkSetName(String name, String newName);

    /**
     * Moves a link to another namespace (it leaves this one; a moved link goes down and loses its addresses).
     * Equivalent to: {@code ip link set dev NAME netns NS} (a name, a path, a PID, or a descriptor).
     */
    void linkSetNs(String name, Netns target);

    /**
     * Sets one per-device IPv4 setting ({@link Ipv4Conf}), over rtnetlink: works where /proc/sys is read-only.
     * {@code NOT_FOUND} if there is no such link. Equivalent to: {@code sysctl -w net.ipv4.conf.NAME.KEY=VALUE}.
     */
    void linkSetIpv4Conf(String name, int devconf, int value);

    /**
     * How long proxy ARP on this link waits before it answers a broadcast request (the kernel's default is a random
     * delay of up to 0.8 s, which a new container waits through on its first ARP): its IPv4 neighbour table
     * parameter, set over rtnetlink ({@code RTM_SETNEIGHTBL}). {@code NOT_FOUND} if there is no such link.
     * Equivalent to: {@code sysctl -w net.ipv4.neigh.NAME.proxy_delay=JIFFIES} (here in milliseconds).
     */
    void linkSetProxyArpDelay(String name, java.time.Duration delay);

    /** Reads one per-device IPv4 setting. Equivalent to: {@code sysctl net.ipv4.conf.NAME.KEY}. */
    int linkIpv4Conf(String name, int devconf);

    // ---- addresses

    /** Equivalent to: {@code ip addr add PREFIX [broadcast B] [scope S] [label L] [nodad] dev IFACE}. */
    void addrAdd(Address address);

    /** Adds or updates. Equivalent to: {@code ip addr replace PREFIX dev IFACE}. */
    void addrReplace(Address address);

    /** {@code NOT_FOUND} if the link has no such address. Equivalent to: {@code ip addr del PREFIX dev IFACE}. */
    void addrDel(Address address);

    /**
     * The addresses of one family ({@link Family#ALL} for both) on one link ({@code linkIndex} 0 for every link).
     * Equivalent to: {@code ip [-4|-6] addr show [dev IFACE]}.
     */
    List<Address> addrList(Family family, int linkIndex);

    // ---- routes

    /** Fails with {@code EXISTS} if the route is there. Equivalent to: {@code ip route add DST [via GW] [dev IFACE] ...}. */
    void routeAdd(Route route);

    /** Adds or overwrites. Equivalent to: {@code ip route replace DST ...}. */
    void routeReplace(Route route);

    /** {@code NOT_FOUND} if there is no such route. Equivalent to: {@code ip route del DST [via GW] [dev IFACE] ...}. */
    void routeDel(Route route);

    /**
     * The routes of one family ({@link Family#ALL} for both) in one table ({@link Route#TABLE_UNSPEC} for every
     * table, including the kernel's local one). Equivalent to: {@code ip [-4|-6] route show table TABLE}.
     */
    List<Route> routeList(Family family, int table);

    // ---- policy routing rules

    /**
     * Adds a rule; {@code EXISTS} if an identical one is there. Equivalent to:
     * {@code ip rule add [iif NAME] lookup TABLE [priority N]}.
     */
    void ruleAdd(Rule rule);

    /**
     * Deletes the first rule matching the family, table, interface and (unless 0) priority; {@code NOT_FOUND} if there
     * is none. Equivalent to: {@code ip rule del [iif NAME] lookup TABLE [priority N]}.
     */
    void ruleDel(Rule rule);

    /**
     * The lookup rules of one family ({@link Family#ALL} for both), the kernel's defaults included. Equivalent to:
     * {@code ip [-4|-6] rule show}.
     */
    List<Rule> ruleList(Family family);

    // ---- neighbours and the forwarding database

    /**
     * Adds an ARP/NDP entry or an FDB entry; {@code EXISTS} if present. Equivalent to:
     * {@code ip neigh add IP lladdr MAC dev IFACE nud permanent}, or for family BRIDGE
     * {@code bridge fdb add MAC dev IFACE [dst IP] [vni N] self|master permanent}.
     */
    void neighAdd(Neigh neigh);

    /**
     * Adds another entry for the same MAC: on a VXLAN device, one more remote to send to (the all-zero MAC's
     * entries flood broadcast and unknown traffic to every listed remote). Equivalent to:
     * {@code bridge fdb append 00:00:00:00:00:00 dev vx42 dst 10.0.0.2 self permanent}.
     */
    void neighAppend(Neigh neigh);

    /** Adds or overwrites. Equivalent to: {@code ip neigh replace ...} or {@code bridge fdb replace ...}. */
    void neighReplace(Neigh neigh);

    /**
     * Deletes an entry; for a VXLAN FDB entry with {@code dst}, only that remote. {@code NOT_FOUND} if absent.
     * Equivalent to: {@code ip neigh del IP dev IFACE} or {@code bridge fdb del MAC dev IFACE [dst IP] self}.
     */
    void neighDel(Neigh neigh);

    /**
     * The entries of one family on one link ({@code linkIndex} 0 for all). Equivalent to:
     * {@code ip [-4|-6] neigh show [dev IFACE]}, or for {@link Family#BRIDGE} {@code bridge fdb show [dev IFACE]}.
     */
    List<Neigh> neighList(Family family, int linkIndex);

    /** Releases the socket. Calls after close fail. */
    @Override
    void close();
}
