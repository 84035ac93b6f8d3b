package dev.berth.netlink;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * An in-memory {@link Netlink}: one network namespace's links, addresses, routes, neighbours and FDB, answering as
 * the kernel does where {@code NetlinkContract} checks it (the same errnos, the same side effects: a veth dies with
 * its peer, a link going down loses its IPv4/IPv6 routes and neighbours, a VXLAN keeps only its permanent and
 * static FDB entries, ...). For drivers' unit tests.
 *
 * <p>Beyond the kernel: {@link #operations()} lists every change in iproute2's words, {@link #failNext} makes the
 * next matching operation fail (for rollback tests), and {@link #registerNamespace} connects fakes so that links can
 * move between them; a link sent to an unregistered namespace leaves and is recorded in {@link #departed()}.
 *
 * <p>Not modelled: IPv6 link-local addresses, the kernel's {@code local} table, bridge-added FDB entries for ports'
 * own MACs and multicast lists, multipath routes, carrier ({@code IFF_LOWER_UP}). All fakes share one lock.
 */
public final class FakeNetlink implements Netlink {
    static final Object LOCK = new Object();
    static final int IFF_BROADCAST_MULTICAST = 0x1002;
    static final int IFF_LOOPBACK = 0x8;

    final Commands cmd;
    final TreeMap<Integer, Link> links = new TreeMap<>();
    final FakeTables tables = new FakeTables(this);
    private final Map<Netns, FakeNetlink> namespaces = new HashMap<>();
    private final Map<String, Netns> departed = new LinkedHashMap<>();
    private final List<String> operations = new ArrayList<>();
    private final Map<String, Integer> failures = new LinkedHashMap<>();
    private final Random random;
    private int nextIndex = 2;
    private boolean closed;

    /** A fresh namespace: only {@code lo} (index 1, down), like a new {@code ip netns add}. */
    public FakeNetlink() {
        this("", 1);
    }

    /** A fresh namespace whose error messages name it as {@code ip -n NAME}; MACs drawn from {@code seed}. */
    public FakeNetlink(String name, long seed) {
        this.cmd = new Commands(name.isEmpty() ? "" : " -n " + name);
        this.random = new Random(seed);
        links.put(1, new GenericLink(new LinkAttrs(1, "lo", 65536, MacAddress.ZERO, IFF_LOOPBACK, 0, 0, -1,
                LinkAttrs.OperState.DOWN, null), ""));
    }

    // ---- test controls

    /** Links moved or created into {@code ns} land in {@code target}. */
    public void registerNamespace(Netns ns, FakeNetlink target) {
        synchronized (LOCK) {
            namespaces.put(ns, target);
        }
    }

    /** Every successful change so far, in iproute2's words ({@code "ip link add vx42 type vxlan"}). */
    public List<String> operations() {
        synchronized (LOCK) {
            return List.copyOf(operations);
        }
    }

    /** The next operation whose iproute2 words start with {@code prefix} fails with {@code errno}, changing nothing. */
    public void failNext(String prefix, int errno) {
        synchronized (LOCK) {
            failures.put(prefix, errno);
        }
    }

    /** Links that moved to a namespace no fake was registered for: name to namespace. */
    public Map<String, Netns> departed() {
        synchronized (LOCK) {
            return Collections.unmodifiableMap(new LinkedHashMap<>(departed));
        }
    }

    // ---- plumbing shared with FakeTables

    /** Checks the handle and an injected failure; returns {@code op} for the caller's exceptions. */
    String begin(String op) {
        if (closed) {
            throw new NetlinkException(op, "the netlink handle is closed", null);
        }
        for (Map.Entry<String, Integer> f : failures.entrySet()) {
            if (op.startsWith(f.getKey())) {
                failures.remove(f.getKey());
                throw new NetlinkException(op, f.getValue(), "injected by FakeNetlink.failNext");
            }
        }
        return op;
    }

    void done(String op) {
        operations.add(op);
    }

    static NetlinkException fail(String op, int errno, String msg) {
        return new NetlinkException(op, errno, msg);
    }

    Link byName(String name) {
        for (Link l : links.values()) {
            if (l.name().equals(name)) {
                return l;
            }
        }
        return null;
    }

    Link need(String op, String name) {
        Link l = byName(name);
        if (l == null) {
            throw fail(op, Errno.ENODEV, null);
        }
        return l;
    }

    Link needIndex(String op, int index) {
        Link l = links.get(index);
        if (l == null) {
            throw fail(op, Errno.ENODEV, null);
        }
        return l;
    }

    private void put(Link l) {
        links.put(l.index(), l);
    }

    // ---- links

    @Override
    public void linkAdd(Link link) {
        synchronized (LOCK) {
            String op = begin(cmd.linkAdd(link));
            LinkAttrs a = link.attrs();
            checkNew(op, a);
            if (byName(a.name()) != null) {
                throw fail(op, Errno.EEXIST, null);
            }
            if (a.masterIndex() > 0) {
                checkMaster(op, needIndex(op, a.masterIndex()), link);
            }
            if (a.parentIndex() > 0 && !(link instanceof Veth)) {
                needIndex(op, a.parentIndex());
            }
            FakeNetlink home = target(a.netns());
            if (link instanceof Veth v) {
                addVeth(op, v, home);
            } else if (link instanceof Vxlan x) {
                if (x.underlayIndex() > 0) {
                    needIndex(op, x.underlayIndex());
                }
                FakeNetlink h = home == null ? this : home;
                for (Link l : h.links.values()) {
                    if (l instanceof Vxlan o && o.vni() == x.vni() && o.port() == x.port()) {
                        throw fail(op, Errno.EEXIST, "A VXLAN device with the specified VNI already exists");
                    }
                }
                place(link, home);
            } else {
                place(link, home);
            }
            done(op);
        }
    }

    private static void checkNew(String op, LinkAttrs a) {
        if (a.mtu() != 0 && (a.mtu() < 68 || a.mtu() > 65535)) {
            throw fail(op, Errno.EINVAL, "MTU out of range");
        }
        if (a.mac() != null && (a.mac().isZero() || a.mac().isMulticast())) {
            throw fail(op, Errno.EADDRNOTAVAIL, null);
        }
    }

    private void addVeth(String op, Veth v, FakeNetlink home) {
        LinkAttrs p = v.peer();
        if (p.name() == null) {
            throw fail(op, Errno.EINVAL, "peer name required");
        }
        checkNew(op, p);
        FakeNetlink peerHome = target(p.netns());
        FakeNetlink mine = home == null ? this : home;
        FakeNetlink theirs = peerHome == null ? this : peerHome;
        if (theirs.byName(p.name()) != null || (mine == theirs && p.name().equals(v.name()))) {
            throw fail(op, Errno.EEXIST, null);
        }
        Link end = mine.materialise(new Veth(v.attrs(), p), v.attrs());
        Link peerEnd = theirs.materialise(new Veth(p, v.attrs()), p);
        int netnsId = mine == theirs ? -1 : 0;
        mine.put(end.withAttrs(end.attrs().withParentIndex(peerEnd.index()).withLinkNetnsId(netnsId)));
        theirs.put(peerEnd.withAttrs(peerEnd.attrs().withParentIndex(end.index()).withLinkNetnsId(netnsId)));
        if (home == null && v.attrs().netns() != null) {
            departed.put(v.name(), v.attrs().netns());
        }
        if (peerHome == null && p.netns() != null) {
            departed.put(p.name(), p.netns());
        }
    }

    /** Puts a new link into its namespace: this one, a registered one, or none (it departed). */
    private void place(Link link, FakeNetlink home) {
        if (link.attrs().netns() != null && home == null) {
            departed.put(link.name(), link.attrs().netns());
            return;
        }
        FakeNetlink h = home == null ? this : home;
        h.put(h.materialise(link, link.attrs()));
    }

    /** The link as the kernel would report it once created here: an index, a MAC, flags, MTU. */
    private Link materialise(Link link, LinkAttrs a) {
        int index = nextIndex++;
        MacAddress mac = a.mac() != null ? a.mac() : randomMac();
        int flags = IFF_BROADCAST_MULTICAST | (a.up() ? LinkAttrs.IFF_UP : 0);
        LinkAttrs made = new LinkAttrs(index, a.name(), a.mtu() == 0 ? 1500 : a.mtu(), mac, flags, a.masterIndex(),
                a.parentIndex(), -1, a.up() ? LinkAttrs.OperState.UNKNOWN : LinkAttrs.OperState.DOWN, null);
        return link.withAttrs(made);
    }

    private MacAddress randomMac() {
        long v = random.nextLong() & 0xffff_ffff_ffffL;
        return new MacAddress((v & ~0x0100_0000_0000L) | 0x0200_0000_0000L); // unicast, locally administered
    }

    private FakeNetlink target(Netns ns) {
        return ns == null ? null : namespaces.get(ns);
    }

    private static void checkMaster(String op, Link master, Link port) {
        if (!(master instanceof Bridge)) {
            throw fail(op, Errno.EOPNOTSUPP, null);
        }
        if (port instanceof Bridge || master.index() == port.index()) {
            throw fail(op, Errno.ELOOP, "Can not enslave a bridge to a bridge");
        }
    }

    @Override
    public void linkDel(String name) {
        synchronized (LOCK) {
            String op = begin(cmd.link("del " + name));
            remove(need(op, name));
            done(op);
        }
    }

    /** Unregisters a link and what hangs on it: its veth peer, its addresses, routes, neighbours, ports, tunnels. */
    private void remove(Link l) {
        links.remove(l.index());
        tables.forgetLink(l.index());
        for (Link o : List.copyOf(links.values())) {
            if (o.attrs().masterIndex() == l.index()) {
                put(o.withAttrs(o.attrs().withMasterIndex(0)));
            }
            boolean lower = o instanceof Vxlan x ? x.underlayIndex() == l.index()
                    : !(o instanceof Veth) && o.attrs().parentIndex() == l.index();
            if (lower && links.containsKey(o.index())) {
                remove(o);
            }
        }
        if (l instanceof Veth v) {
            FakeNetlink other = peerHome(v);
            Link peer = other.links.get(v.attrs().parentIndex());
            if (peer instanceof Veth pv && pv.attrs().parentIndex() == l.index()) {
                other.remove(peer);
            }
        }
    }

    /** Where a veth's peer lives: here, or the registered fake that holds it. */
    private FakeNetlink peerHome(Veth v) {
        if (v.attrs().linkNetnsId() < 0) {
            return this;
        }
        for (FakeNetlink f : namespaces.values()) {
            Link p = f.links.get(v.attrs().parentIndex());
            if (p instanceof Veth pv && pv.attrs().parentIndex() == v.index() && pv.attrs().linkNetnsId() >= 0) {
                return f;
            }
        }
        return new FakeNetlink(); // the peer is somewhere this fake cannot see
    }

    @Override
    public List<Link> linkList() {
        synchronized (LOCK) {
            begin(cmd.link("show"));
            List<Link> out = new ArrayList<>();
            for (Link l : links.values()) {
                out.add(reported(l));
            }
            return out;
        }
    }

    /** A veth reads back with its peer's index and, when the peer is here, its name. */
    private Link reported(Link l) {
        if (l instanceof Veth v) {
            Link p = v.attrs().linkNetnsId() < 0 ? links.get(v.attrs().parentIndex()) : null;
            return new Veth(v.attrs(), new LinkAttrs(v.attrs().parentIndex(), p == null ? null : p.name(), 0, null,
                    0, 0, v.index(), -1, LinkAttrs.OperState.UNKNOWN, null));
        }
        return l;
    }

    @Override
    public Link linkByName(String name) {
        synchronized (LOCK) {
            String op = begin(cmd.link("show dev " + name));
            return reported(need(op, name));
        }
    }

    @Override
    public Link linkByIndex(int index) {
        synchronized (LOCK) {
            String op = begin(cmd.link("show index " + index));
            return reported(needIndex(op, index));
        }
    }

    @Override
    public void linkSetUp(String name) {
        synchronized (LOCK) {
            String op = begin(cmd.linkSet(name, "up"));
            Link l = need(op, name);
            put(l.withAttrs(l.attrs().withUp(true).withOperState(LinkAttrs.OperState.UNKNOWN)));
            done(op);
        }
    }

    @Override
    public void linkSetDown(String name) {
        synchronized (LOCK) {
            String op = begin(cmd.linkSet(name, "down"));
            Link l = need(op, name);
            put(l.withAttrs(l.attrs().withUp(false).withOperState(LinkAttrs.OperState.DOWN)));
            tables.linkDown(l.index());
            done(op);
        }
    }

    /** Per link index: IPv4 device settings changed from their default of 0. */
    private final Map<Integer, Map<Integer, Integer>> ipv4Conf = new HashMap<>();

    /** Proxy ARP delays set, by link index, in milliseconds. */
    public final Map<Integer, Long> proxyArpDelays = new HashMap<>();

    @Override
    public void linkSetProxyArpDelay(String name, java.time.Duration delay) {
        synchronized (LOCK) {
            String op = begin("sysctl net.ipv4.neigh." + name + ".proxy_delay");
            Link l = need(op, name);
            proxyArpDelays.put(l.index(), delay.toMillis());
            done(op);
        }
    }

    @Override
    public void linkSetIpv4Conf(String name, int devconf, int value) {
        synchronized (LOCK) {
            String op = begin(cmd.ipv4Conf(name, devconf, Integer.toString(value)));
            Link l = need(op, name);
            if (devconf < 1 || devconf > Ipv4Conf.MAX) {
                throw new IllegalArgumentException("an IPV4_DEVCONF index is 1.." + Ipv4Conf.MAX);
            }
            ipv4Conf.computeIfAbsent(l.index(), i -> new HashMap<>()).put(devconf, value);
            done(op);
        }
    }

    @Override
    public int linkIpv4Conf(String name, int devconf) {
        synchronized (LOCK) {
            String op = begin(cmd.ipv4Conf(name, devconf, null));
            Link l = need(op, name);
            return ipv4Conf.getOrDefault(l.index(), Map.of()).getOrDefault(devconf, 0);
        }
    }

    @Override
    public void linkSetMtu(String name, int mtu) {
        synchronized (LOCK) {
            String op = begin(cmd.linkSet(name, "mtu " + mtu));
            Link l = need(op, name);
            if (mtu < 68 || mtu > 65535) {
                throw fail(op, Errno.EINVAL, mtu < 68 ? "mtu less than device minimum"
                        : "mtu greater than device maximum");
            }
            put(l.withAttrs(l.attrs().withMtu(mtu)));
            done(op);
        }
    }

    @Override
    public void linkSetMaster(String name, String master) {
        synchronized (LOCK) {
            String op = begin(cmd.linkSet(name, "master " + master));
            Link l = need(op, name);
            Link m = need(op, master);
            checkMaster(op, m, l);
            put(l.withAttrs(l.attrs().withMasterIndex(m.index())));
            done(op);
        }
    }

    @Override
    public void linkSetNoMaster(String name) {
        synchronized (LOCK) {
            String op = begin(cmd.linkSet(name, "nomaster"));
            Link l = need(op, name);
            put(l.withAttrs(l.attrs().withMasterIndex(0)));
            tables.forgetPort(l.index());
            done(op);
        }
    }

    @Override
    public void linkSetMac(String name, MacAddress mac) {
        synchronized (LOCK) {
            String op = begin(cmd.linkSet(name, "address " + mac));
            Link l = need(op, name);
            if (mac.isZero() || mac.isMulticast()) {
                throw fail(op, Errno.EADDRNOTAVAIL, null);
            }
            put(l.withAttrs(l.attrs().withMac(mac)));
            done(op);
        }
    }

    @Override
    public void linkSetName(String name, String newName) {
        synchronized (LOCK) {
            LinkAttrs.checkName(newName);
            String op = begin(cmd.linkSet(name, "name " + newName));
            Link l = need(op, name);
            if (!name.equals(newName) && byName(newName) != null) {
                throw fail(op, Errno.EEXIST, null);
            }
            put(l.withAttrs(l.attrs().withName(newName)));
            tables.renameLink(l.index(), name, newName);
            done(op);
        }
    }

    @Override
    public void linkSetNs(String name, Netns ns) {
        synchronized (LOCK) {
            String op = begin(cmd.linkSet(name, "netns " + ns));
            Link l = need(op, name);
            if ((l.attrs().flags() & IFF_LOOPBACK) != 0) {
                throw fail(op, Errno.EINVAL, "The link can not be moved to another network namespace");
            }
            FakeNetlink dest = target(ns);
            if (dest == this) {
                done(op);
                return;
            }
            if (dest != null && dest.byName(name) != null) {
                throw fail(op, Errno.EEXIST, null);
            }
            FakeNetlink peerHome = l instanceof Veth v ? peerHome(v) : null;
            links.remove(l.index());
            tables.forgetLink(l.index());
            for (Link o : List.copyOf(links.values())) {
                if (o.attrs().masterIndex() == l.index()) {
                    put(o.withAttrs(o.attrs().withMasterIndex(0)));
                }
            }
            LinkAttrs moved = l.attrs().withUp(false).withMasterIndex(0).withOperState(LinkAttrs.OperState.DOWN);
            if (dest == null) {
                departed.put(name, ns);
            } else {
                int index = dest.links.containsKey(l.index()) ? dest.nextIndex++ : l.index();
                dest.nextIndex = Math.max(dest.nextIndex, index + 1);
                moved = moved.withIndex(index);
                dest.put(l.withAttrs(moved));
            }
            if (peerHome != null) {
                relinkPeer(peerHome, l.index(), dest, moved.index());
            }
            done(op);
        }
    }

    /** After a veth end moved, its peer points at the new index, across namespaces or not. */
    private static void relinkPeer(FakeNetlink peerHome, int oldIndex, FakeNetlink dest, int newIndex) {
        for (Link p : List.copyOf(peerHome.links.values())) {
            if (p instanceof Veth pv && pv.attrs().parentIndex() == oldIndex) {
                int id = peerHome == dest ? -1 : 0;
                peerHome.put(p.withAttrs(p.attrs().withParentIndex(newIndex).withLinkNetnsId(id)));
                if (dest != null) {
                    Link me = dest.links.get(newIndex);
                    dest.put(me.withAttrs(me.attrs().withParentIndex(p.index()).withLinkNetnsId(id)));
                }
            }
        }
    }

    // ---- addresses, routes, neighbours: FakeTables

    @Override
    public void addrAdd(Address a) {
        tables.addrAdd(a, false);
    }

    @Override
    public void addrReplace(Address a) {
        tables.addrAdd(a, true);
    }

    @Override
    public void addrDel(Address a) {
        tables.addrDel(a);
    }

    @Override
    public List<Address> addrList(Family family, int linkIndex) {
        return tables.addrList(family, linkIndex);
    }

    @Override
    public void routeAdd(Route r) {
        tables.routeAdd(r, false);
    }

    @Override
    public void routeReplace(Route r) {
        tables.routeAdd(r, true);
    }

    @Override
    public void routeDel(Route r) {
        tables.routeDel(r);
    }

    @Override
    public List<Route> routeList(Family family, int table) {
        return tables.routeList(family, table);
    }

    @Override
    public void ruleAdd(Rule r) {
        tables.ruleAdd(r);
    }

    @Override
    public void ruleDel(Rule r) {
        tables.ruleDel(r);
    }

    @Override
    public List<Rule> ruleList(Family family) {
        return tables.ruleList(family);
    }

    @Override
    public void neighAdd(Neigh n) {
        tables.neighAdd(n, NeighCodec.Mode.ADD);
    }

    @Override
    public void neighAppend(Neigh n) {
        tables.neighAdd(n, NeighCodec.Mode.APPEND);
    }

    @Override
    public void neighReplace(Neigh n) {
        tables.neighAdd(n, NeighCodec.Mode.REPLACE);
    }

    @Override
    public void neighDel(Neigh n) {
        tables.neighDel(n);
    }

    @Override
    public List<Neigh> neighList(Family family, int linkIndex) {
        return tables.neighList(family, linkIndex);
    }

    @Override
    public void close() {
        synchronized (LOCK) {
            closed = true;
        }
    }
}
