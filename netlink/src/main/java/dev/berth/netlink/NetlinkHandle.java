package dev.berth.netlink;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The kernel, over an rtnetlink socket bound to one network namespace for its whole life. Safe for any number of
 * threads: requests are serialised on the socket. Open one per namespace and close it when done.
 *
 * <pre>{@code
 * try (NetlinkHandle nl = NetlinkHandle.open(Netns.named("blue"))) {
 *     nl.linkAdd(Vxlan.of("vx42", 42).withLearning(false).withLocal(InetAddress.getByName("10.0.0.1")));
 *     nl.linkSetUp("vx42");
 *     nl.neighAppend(Neigh.fdb(nl.linkByName("vx42").index(), MacAddress.ZERO)
 *             .withDst(InetAddress.getByName("10.0.0.2")));
 * }
 * }</pre>
 */
public final class NetlinkHandle implements Netlink {
    private final NlSocket socket;
    private final Commands cmd;

    private NetlinkHandle(NlSocket socket, String namespaceOption) {
        this.socket = socket;
        this.cmd = new Commands(namespaceOption);
    }

    /** A handle on the calling thread's network namespace (for an ordinary thread, the process's). */
    public static NetlinkHandle open() {
        return new NetlinkHandle(NlSocket.open(NlSocket.NETLINK_ROUTE), "");
    }

    /**
     * A handle on another namespace: a short-lived thread of its own enters it, creates the socket, and leaves;
     * the socket stays bound there.
     */
    public static NetlinkHandle open(Netns ns) {
        String label = Commands.namespaceOption(ns);
        NlSocket s = NetnsThread.call(ns, "open netlink in netns " + ns,
                () -> NlSocket.open(NlSocket.NETLINK_ROUTE));
        return new NetlinkHandle(s, label);
    }

    /** A handle on the namespace file at {@code path} ({@code /var/run/netns/NAME}, {@code /proc/PID/ns/net}). */
    public static NetlinkHandle open(Path path) {
        return open(Netns.path(path));
    }

    /** A handle on the namespace of process {@code pid}. */
    public static NetlinkHandle openPid(int pid) {
        return open(Netns.pid(pid));
    }

    // ---- links

    @Override
    public void linkAdd(Link link) {
        String op = cmd.linkAdd(link);
        withNetnsFds(op, opener -> socket.request(LinkCodec.newLink(link, opener), op));
    }

    @Override
    public void linkDel(String name) {
        socket.request(LinkCodec.delLink(name), cmd.link("del " + name));
    }

    @Override
    public List<Link> linkList() {
        List<Link> links = new ArrayList<>();
        for (NlMessage m : socket.request(LinkCodec.dumpLinks(), cmd.link("show"))) {
            if (m.type() == LinkCodec.RTM_NEWLINK) {
                links.add(LinkCodec.parse(m));
            }
        }
        Map<Integer, String> names = new HashMap<>();
        links.forEach(l -> names.put(l.index(), l.name()));
        links.replaceAll(l -> withPeerName(l, names::get));
        return links;
    }

    @Override
    public Link linkByName(String name) {
        return one(LinkCodec.getLink(name), cmd.link("show dev " + name));
    }

    @Override
    public Link linkByIndex(int index) {
        return one(LinkCodec.getLink(index), cmd.link("show index " + index));
    }

    private Link one(NlMessageBuilder req, String op) {
        for (NlMessage m : socket.request(req, op)) {
            if (m.type() == LinkCodec.RTM_NEWLINK) {
                return withPeerName(LinkCodec.parse(m), this::nameOfIndex);
            }
        }
        throw new NetlinkException(op, Errno.ENODEV, "no RTM_NEWLINK in the reply");
    }

    private String nameOfIndex(int index) {
        for (NlMessage m : socket.request(LinkCodec.getLink(index), cmd.link("show index " + index))) {
            if (m.type() == LinkCodec.RTM_NEWLINK) {
                return LinkCodec.parse(m).name();
            }
        }
        return null;
    }

    /** A veth's peer name, when the peer is in this namespace (no {@code IFLA_LINK_NETNSID}). */
    private static Link withPeerName(Link l, Function<Integer, String> names) {
        if (l instanceof Veth v && v.attrs().linkNetnsId() < 0 && v.attrs().parentIndex() > 0) {
            String peer;
            try {
                peer = names.apply(v.attrs().parentIndex());
            } catch (NetlinkException e) {
                if (!e.isNotFound()) {
                    throw e;
                }
                peer = null;
            }
            return v.withPeer(v.peer().withName(peer));
        }
        return l;
    }

    @Override
    public void linkSetUp(String name) {
        socket.request(LinkCodec.setLinkByName(name, LinkAttrs.IFF_UP, LinkAttrs.IFF_UP),
                cmd.linkSet(name, "up"));
    }

    @Override
    public void linkSetDown(String name) {
        socket.request(LinkCodec.setLinkByName(name, 0, LinkAttrs.IFF_UP), cmd.linkSet(name, "down"));
    }

    @Override
    public void linkSetIpv4Conf(String name, int devconf, int value) {
        checkDevconf(devconf);
        socket.request(LinkCodec.setIpv4Conf(name, devconf, value),
                cmd.ipv4Conf(name, devconf, Integer.toString(value)));
    }

    @Override
    public void linkSetProxyArpDelay(String name, java.time.Duration delay) {
        if (delay.isNegative()) {
            throw new IllegalArgumentException("a delay cannot be negative: " + delay);
        }
        int index = linkByName(name).index();
        socket.request(NeighCodec.setArpProxyDelay(index, delay.toMillis()),
                "sysctl net.ipv4.neigh." + name + ".proxy_delay (" + delay.toMillis() + " ms)");
    }

    @Override
    public int linkIpv4Conf(String name, int devconf) {
        checkDevconf(devconf);
        String op = cmd.ipv4Conf(name, devconf, null);
        for (NlMessage m : socket.request(LinkCodec.getLink(name), op)) {
            if (m.type() == LinkCodec.RTM_NEWLINK) {
                int v = LinkCodec.ipv4Conf(m, devconf);
                if (v < 0) {
                    throw new NetlinkException(op, Errno.ENOENT, "the link reports no IPv4 settings");
                }
                return v;
            }
        }
        throw new NetlinkException(op, Errno.ENODEV, "no RTM_NEWLINK in the reply");
    }

    private static void checkDevconf(int devconf) {
        if (devconf < 1 || devconf > Ipv4Conf.MAX) {
            throw new IllegalArgumentException("an IPV4_DEVCONF index is 1.." + Ipv4Conf.MAX + ", not " + devconf);
        }
    }

    @Override
    public void linkSetMtu(String name, int mtu) {
        socket.request(LinkCodec.setLinkByName(name, 0, 0).attrU32(LinkCodec.IFLA_MTU, mtu),
                cmd.linkSet(name, "mtu " + mtu));
    }

    @Override
    public void linkSetMaster(String name, String master) {
        String op = cmd.linkSet(name, "master " + master);
        int masterIndex;
        try {
            masterIndex = linkByName(master).index();
        } catch (NetlinkException e) {
            throw new NetlinkException(op, e.errno(), "master " + master + " not found");
        }
        socket.request(LinkCodec.setLinkByName(name, 0, 0).attrU32(LinkCodec.IFLA_MASTER, masterIndex), op);
    }

    @Override
    public void linkSetNoMaster(String name) {
        socket.request(LinkCodec.setLinkByName(name, 0, 0).attrU32(LinkCodec.IFLA_MASTER, 0),
                cmd.linkSet(name, "nomaster"));
    }

    @Override
    public void linkSetMac(String name, MacAddress mac) {
        socket.request(LinkCodec.setLinkByName(name, 0, 0).attr(LinkCodec.IFLA_ADDRESS, mac.bytes()),
                cmd.linkSet(name, "address " + mac));
    }

    @Override
    public void linkSetName(String name, String newName) {
        LinkAttrs.checkName(newName);
        String op = cmd.linkSet(name, "name " + newName);
        int index;
        try {
            index = linkByName(name).index();
        } catch (NetlinkException e) {
            throw new NetlinkException(op, e.errno(), e.kernelMessage());
        }
        socket.request(LinkCodec.setLinkByIndex(index).attrString(LinkCodec.IFLA_IFNAME, newName), op);
    }

    @Override
    public void linkSetNs(String name, Netns target) {
        String op = cmd.linkSet(name, "netns " + target);
        withNetnsFds(op, opener -> {
            NlMessageBuilder b = LinkCodec.setLinkByName(name, 0, 0);
            LinkCodec.netns(b, target, opener);
            return socket.request(b, op);
        });
    }

    /** Runs {@code f} with a way to open namespace files as descriptors, closing them all afterwards. */
    private <T> T withNetnsFds(String op, Function<LinkCodec.NetnsOpener, T> f) {
        List<Integer> fds = new ArrayList<>();
        try {
            return f.apply(path -> {
                int fd = LibC.openNamespace(path, op);
                fds.add(fd);
                return fd;
            });
        } finally {
            fds.forEach(LibC::close);
        }
    }

    // ---- addresses

    @Override
    public void addrAdd(Address a) {
        socket.request(AddressCodec.newAddr(a, false), cmd.addr("add", a));
    }

    @Override
    public void addrReplace(Address a) {
        socket.request(AddressCodec.newAddr(a, true), cmd.addr("replace", a));
    }

    @Override
    public void addrDel(Address a) {
        socket.request(AddressCodec.delAddr(a), cmd.addr("del", a));
    }

    @Override
    public List<Address> addrList(Family family, int linkIndex) {
        List<Address> out = new ArrayList<>();
        for (NlMessage m : socket.request(AddressCodec.dumpAddrs(family), cmd.addrShow())) {
            if (m.type() == AddressCodec.RTM_NEWADDR) {
                Address a = AddressCodec.parse(m);
                if (a != null && family.admits(a.family()) && (linkIndex == 0 || a.linkIndex() == linkIndex)) {
                    out.add(a);
                }
            }
        }
        return out;
    }

    // ---- routes

    @Override
    public void routeAdd(Route r) {
        socket.request(RouteCodec.newRoute(r, false), cmd.route("add", r));
    }

    @Override
    public void routeReplace(Route r) {
        socket.request(RouteCodec.newRoute(r, true), cmd.route("replace", r));
    }

    @Override
    public void routeDel(Route r) {
        socket.request(RouteCodec.delRoute(r), cmd.route("del", r));
    }

    @Override
    public List<Route> routeList(Family family, int table) {
        List<Route> out = new ArrayList<>();
        for (NlMessage m : socket.request(RouteCodec.dumpRoutes(family), cmd.routeShow(table))) {
            if (m.type() == RouteCodec.RTM_NEWROUTE) {
                Route r = RouteCodec.parse(m);
                if (r != null && family.admits(r.family()) && (table == 0 || r.table() == table)) {
                    out.add(r);
                }
            }
        }
        return out;
    }

    // ---- rules

    @Override
    public void ruleAdd(Rule r) {
        socket.request(RuleCodec.newRule(r), cmd.rule("add", r));
    }

    @Override
    public void ruleDel(Rule r) {
        socket.request(RuleCodec.delRule(r), cmd.rule("del", r));
    }

    @Override
    public List<Rule> ruleList(Family family) {
        List<Rule> out = new ArrayList<>();
        for (NlMessage m : socket.request(RuleCodec.dumpRules(family), cmd.ruleShow(family))) {
            if (m.type() == RuleCodec.RTM_NEWRULE) {
                Rule r = RuleCodec.parse(m);
                if (r != null && family.admits(r.family())) {
                    out.add(r);
                }
            }
        }
        return out;
    }

    // ---- neighbours

    @Override
    public void neighAdd(Neigh n) {
        socket.request(NeighCodec.newNeigh(n, NeighCodec.Mode.ADD), cmd.neigh("add", n));
    }

    @Override
    public void neighAppend(Neigh n) {
        socket.request(NeighCodec.newNeigh(n, NeighCodec.Mode.APPEND), cmd.neigh("append", n));
    }

    @Override
    public void neighReplace(Neigh n) {
        socket.request(NeighCodec.newNeigh(n, NeighCodec.Mode.REPLACE), cmd.neigh("replace", n));
    }

    @Override
    public void neighDel(Neigh n) {
        socket.request(NeighCodec.delNeigh(n), cmd.neigh("del", n));
    }

    @Override
    public List<Neigh> neighList(Family family, int linkIndex) {
        String op = cmd.neighShow(family);
        List<Neigh> out = new ArrayList<>();
        for (NlMessage m : socket.request(NeighCodec.dumpNeighs(family), op)) {
            if (m.type() == NeighCodec.RTM_NEWNEIGH) {
                Neigh n = NeighCodec.parse(m);
                if (n != null && family.admits(n.family()) && (linkIndex == 0 || n.linkIndex() == linkIndex)) {
                    out.add(n);
                }
            }
        }
        return out;
    }

    @Override
    public void close() {
        socket.close();
    }
}
