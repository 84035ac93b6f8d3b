package dev.berth.netlink;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * {@link FakeNetlink}'s addresses, routes, neighbours and forwarding database, with the kernel's rules as
 * {@code NetlinkContract} pins them down. Guarded by {@link FakeNetlink#LOCK}.
 */
final class FakeTables {
    private static final int IPV6_DEFAULT_METRIC = 1024;
    private static final int IPV6_PREFIX_ROUTE_METRIC = 256;

    private final FakeNetlink ns;
    private final List<Address> addrs = new ArrayList<>();
    private final List<Route> routes = new ArrayList<>();
    private final List<Neigh> neighs = new ArrayList<>();
    /** One element per VXLAN remote or per bridge/device entry, as the kernel dumps them. */
    private final List<Neigh> fdb = new ArrayList<>();

    FakeTables(FakeNetlink ns) {
        this.ns = ns;
    }

    // ---- link events

    void forgetLink(int index) {
        addrs.removeIf(a -> a.linkIndex() == index);
        routes.removeIf(r -> r.oif() == index);
        neighs.removeIf(n -> n.linkIndex() == index);
        fdb.removeIf(n -> n.linkIndex() == index || n.masterIndex() == index);
    }

    void forgetPort(int index) {
        fdb.removeIf(n -> n.linkIndex() == index && n.masterIndex() != 0);
    }

    /** Down: routes through the link and its ARP/NDP entries go; FDB entries other than permanent/static go. */
    void linkDown(int index) {
        routes.removeIf(r -> r.oif() == index);
        neighs.removeIf(n -> n.linkIndex() == index);
        fdb.removeIf(n -> n.linkIndex() == index
                && (n.state() & (Neigh.NUD_PERMANENT | Neigh.NUD_NOARP)) == 0);
    }

    void renameLink(int index, String oldName, String newName) {
        addrs.replaceAll(a -> a.linkIndex() == index && oldName.equals(a.label()) ? a.withLabel(newName) : a);
    }

    // ---- addresses

    void addrAdd(Address a, boolean replace) {
        synchronized (FakeNetlink.LOCK) {
            String op = ns.begin(ns.cmd.addr(replace ? "replace" : "add", a));
            Link l = ns.needIndex(op, a.linkIndex());
            Address stored = a.withFlags(a.flags() | Address.F_PERMANENT);
            if (a.family() == Family.INET && a.label() == null) {
                stored = stored.withLabel(l.name());
            }
            if (a.family() == Family.INET6) {
                stored = stored.withScope(ipv6Scope(a.prefix().address()));
            }
            int i = findAddr(a);
            if (i >= 0 && !replace) {
                throw FakeNetlink.fail(op, Errno.EEXIST, null);
            }
            if (i >= 0) {
                addrs.set(i, stored);
            } else {
                addrs.add(stored);
            }
            ns.done(op);
        }
    }

    private static int ipv6Scope(InetAddress a) {
        if (a.isLinkLocalAddress()) {
            return Address.SCOPE_LINK;
        }
        return a.isLoopbackAddress() ? Address.SCOPE_HOST : Address.SCOPE_UNIVERSE;
    }

    /** IPv4: same link, address and prefix length; IPv6: same link and address. */
    private int findAddr(Address a) {
        for (int i = 0; i < addrs.size(); i++) {
            Address o = addrs.get(i);
            if (o.linkIndex() == a.linkIndex() && o.prefix().address().equals(a.prefix().address())
                    && (a.family() == Family.INET6 || o.prefix().length() == a.prefix().length())) {
                return i;
            }
        }
        return -1;
    }

    void addrDel(Address a) {
        synchronized (FakeNetlink.LOCK) {
            String op = ns.begin(ns.cmd.addr("del", a));
            ns.needIndex(op, a.linkIndex());
            int i = findAddr(a);
            if (i < 0 || addrs.get(i).prefix().length() != a.prefix().length()) {
                throw FakeNetlink.fail(op, Errno.EADDRNOTAVAIL, null);
            }
            addrs.remove(i);
            routes.removeIf(r -> a.prefix().address().equals(r.prefSrc()));
            ns.done(op);
        }
    }

    List<Address> addrList(Family family, int linkIndex) {
        synchronized (FakeNetlink.LOCK) {
            ns.begin(ns.cmd.addrShow());
            List<Address> out = new ArrayList<>();
            for (Address a : addrs) {
                if (family.admits(a.family()) && (linkIndex == 0 || a.linkIndex() == linkIndex)) {
                    out.add(a);
                }
            }
            return out;
        }
    }

    // ---- rules: the kernel's defaults, then as added (kept in priority order, like the kernel's list)

    private final List<Rule> rules = new ArrayList<>(List.of(
            new Rule(Family.INET, null, 255, 0), new Rule(Family.INET, null, Route.TABLE_MAIN, Rule.PRIORITY_MAIN),
            new Rule(Family.INET, null, 253, 32767),
            new Rule(Family.INET6, null, 255, 0), new Rule(Family.INET6, null, Route.TABLE_MAIN, Rule.PRIORITY_MAIN)));

    void ruleAdd(Rule r) {
        synchronized (FakeNetlink.LOCK) {
            String op = ns.begin(ns.cmd.rule("add", r));
            int priority = r.priority();
            if (priority == 0) {
                // as the kernel: one below the second rule of the family (the first after "lookup local")
                List<Rule> same = rules.stream().filter(x -> x.family() == r.family()).toList();
                priority = same.size() > 1 && same.get(1).priority() > 0 ? same.get(1).priority() - 1 : 0;
            }
            Rule stored = new Rule(r.family(), r.iifName(), r.table(), priority);
            if (rules.contains(stored)) {
                throw FakeNetlink.fail(op, Errno.EEXIST, null);
            }
            int at = 0;
            while (at < rules.size() && rules.get(at).priority() <= priority) {
                at++;
            }
            rules.add(at, stored);
            ns.done(op);
        }
    }

    void ruleDel(Rule r) {
        synchronized (FakeNetlink.LOCK) {
            String op = ns.begin(ns.cmd.rule("del", r));
            for (int i = 0; i < rules.size(); i++) {
                Rule o = rules.get(i);
                if (o.family() == r.family() && o.table() == r.table()
                        && (r.iifName() == null || r.iifName().equals(o.iifName()))
                        && (r.priority() == 0 || r.priority() == o.priority())) {
                    rules.remove(i);
                    ns.done(op);
                    return;
                }
            }
            throw FakeNetlink.fail(op, Errno.ENOENT, null);
        }
    }

    List<Rule> ruleList(Family family) {
        synchronized (FakeNetlink.LOCK) {
            ns.begin(ns.cmd.ruleShow(family));
            return rules.stream().filter(r -> family.admits(r.family())).toList();
        }
    }

    // ---- routes

    void routeAdd(Route r, boolean replace) {
        synchronized (FakeNetlink.LOCK) {
            String op = ns.begin(ns.cmd.route(replace ? "replace" : "add", r));
            Route stored = resolve(op, r);
            for (int i = 0; i < routes.size(); i++) {
                if (routes.get(i).sameKey(stored)) {
                    if (!replace) {
                        throw FakeNetlink.fail(op, Errno.EEXIST, null);
                    }
                    routes.set(i, stored);
                    ns.done(op);
                    return;
                }
            }
            routes.add(stored);
            ns.done(op);
        }
    }

    /** The route as the kernel would store it, or the kernel's refusal. */
    private Route resolve(String op, Route r) {
        boolean v6 = r.family() == Family.INET6;
        int oif = r.oif();
        if (oif > 0 && !ns.needIndex(op, oif).attrs().up()) {
            throw FakeNetlink.fail(op, Errno.ENETDOWN, v6 ? "Nexthop device is not up"
                    : "Device for nexthop is not up");
        }
        if (r.gateway() != null) {
            int via = connectedLinkFor(r.gateway(), oif);
            if (via == 0) {
                throw v6 ? FakeNetlink.fail(op, Errno.EHOSTUNREACH, null)
                        : FakeNetlink.fail(op, Errno.ENETUNREACH, "Nexthop has invalid gateway");
            }
            oif = via;
        } else if (oif == 0 && r.type() == Route.TYPE_UNICAST) {
            throw FakeNetlink.fail(op, Errno.EINVAL, "Nexthop device required");
        }
        int metric = v6 && r.metric() == 0 ? IPV6_DEFAULT_METRIC : r.metric();
        return new Route(r.family(), r.dst(), r.gateway(), oif, r.effectiveTable(),
                v6 ? Route.SCOPE_UNIVERSE : r.effectiveScope(), r.protocol(), r.type(), metric, r.prefSrc());
    }

    /** The up link (this one if {@code oif} is set) with an address whose subnet holds {@code gw}; 0 if none. */
    private int connectedLinkFor(InetAddress gw, int oif) {
        for (Address a : addrs) {
            Link l = ns.links.get(a.linkIndex());
            if (l != null && l.attrs().up() && (oif == 0 || oif == a.linkIndex()) && a.prefix().contains(gw)
                    && !a.prefix().address().equals(gw)) {
                return a.linkIndex();
            }
        }
        return 0;
    }

    void routeDel(Route r) {
        synchronized (FakeNetlink.LOCK) {
            String op = ns.begin(ns.cmd.route("del", r));
            for (int i = 0; i < routes.size(); i++) {
                Route o = routes.get(i);
                if (o.family() == r.family() && o.dst().equals(r.dst()) && o.table() == r.effectiveTable()
                        && (r.gateway() == null || r.gateway().equals(o.gateway()))
                        && (r.oif() == 0 || r.oif() == o.oif()) && (r.metric() == 0 || r.metric() == o.metric())) {
                    routes.remove(i);
                    ns.done(op);
                    return;
                }
            }
            throw FakeNetlink.fail(op, Errno.ESRCH, null);
        }
    }

    List<Route> routeList(Family family, int table) {
        synchronized (FakeNetlink.LOCK) {
            ns.begin(ns.cmd.routeShow(table));
            List<Route> all = new ArrayList<>(connected());
            all.addAll(routes);
            all.removeIf(r -> !family.admits(r.family()) || (table != 0 && r.table() != table));
            return all;
        }
    }

    /** The kernel's routes to the subnets of addresses on links that are up (proto kernel). */
    private List<Route> connected() {
        List<Route> out = new ArrayList<>();
        for (Address a : addrs) {
            Link l = ns.links.get(a.linkIndex());
            int bits = IpPrefix.bits(a.prefix().address());
            if (l == null || !l.attrs().up() || a.prefix().length() == bits
                    || (a.flags() & Address.F_NOPREFIXROUTE) != 0) {
                continue;
            }
            boolean v6 = a.family() == Family.INET6;
            out.add(new Route(a.family(), a.prefix().network(), null, a.linkIndex(), Route.TABLE_MAIN,
                    v6 ? Route.SCOPE_UNIVERSE : Route.SCOPE_LINK, Route.PROTO_KERNEL, Route.TYPE_UNICAST,
                    v6 ? IPV6_PREFIX_ROUTE_METRIC : 0, v6 ? null : a.prefix().address()));
        }
        return out;
    }

    // ---- neighbours and FDB

    void neighAdd(Neigh n, NeighCodec.Mode mode) {
        synchronized (FakeNetlink.LOCK) {
            String op = ns.begin(ns.cmd.neigh(mode.name().toLowerCase(java.util.Locale.ROOT), n));
            Link l = ns.needIndex(op, n.linkIndex());
            if (n.isFdb()) {
                FakeFdb.add(op, fdb, l, ns, n, mode);
            } else {
                addNeigh(op, n, mode);
            }
            ns.done(op);
        }
    }

    private void addNeigh(String op, Neigh n, NeighCodec.Mode mode) {
        Neigh stored = n.withVni(Neigh.NO_VNI).withMasterIndex(0);
        for (int i = 0; i < neighs.size(); i++) {
            Neigh o = neighs.get(i);
            if (o.family() == n.family() && o.linkIndex() == n.linkIndex() && o.ip().equals(n.ip())) {
                switch (mode) {
                    case ADD:
                        throw FakeNetlink.fail(op, Errno.EEXIST, null);
                    case APPEND: // no override: the known MAC stays
                        neighs.set(i, o.withState(n.state()));
                        return;
                    default:
                        neighs.set(i, stored);
                        return;
                }
            }
        }
        neighs.add(stored);
    }

    void neighDel(Neigh n) {
        synchronized (FakeNetlink.LOCK) {
            String op = ns.begin(ns.cmd.neigh("del", n));
            Link l = ns.needIndex(op, n.linkIndex());
            if (n.isFdb()) {
                FakeFdb.del(op, fdb, l, ns, n);
            } else if (!neighs.removeIf(o -> o.family() == n.family() && o.linkIndex() == n.linkIndex()
                    && o.ip().equals(n.ip()))) {
                throw FakeNetlink.fail(op, Errno.ENOENT, null);
            }
            ns.done(op);
        }
    }

    List<Neigh> neighList(Family family, int linkIndex) {
        synchronized (FakeNetlink.LOCK) {
            ns.begin(ns.cmd.neighShow(family));
            List<Neigh> source = family == Family.BRIDGE ? fdb : neighs;
            List<Neigh> out = new ArrayList<>();
            for (Neigh n : source) {
                if (family.admits(n.family()) && (linkIndex == 0 || n.linkIndex() == linkIndex)) {
                    out.add(n);
                }
            }
            return out;
        }
    }
}
