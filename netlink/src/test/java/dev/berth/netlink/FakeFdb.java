package dev.berth.netlink;

import java.util.List;
import java.util.Objects;

/**
 * The forwarding database rules of {@link FakeNetlink}: a VXLAN device's own table ({@code self}: a MAC with one or
 * more remotes), a bridge's table reached through a port ({@code master}), and a plain device's static list.
 */
final class FakeFdb {
    private FakeFdb() {
    }

    static void add(String op, List<Neigh> fdb, Link l, FakeNetlink ns, Neigh n, NeighCodec.Mode mode) {
        boolean master = (n.flags() & Neigh.NTF_MASTER) != 0;
        if (master) {
            Link bridge = l.attrs().masterIndex() == 0 ? null : ns.links.get(l.attrs().masterIndex());
            if (!(bridge instanceof Bridge)) {
                throw FakeNetlink.fail(op, Errno.EINVAL, null);
            }
            Neigh stored = new Neigh(Family.BRIDGE, l.index(), null, n.mac(), n.state(), 0, Neigh.NO_VNI,
                    bridge.index());
            int i = find(fdb, e -> e.masterIndex() == bridge.index() && e.mac().equals(n.mac()));
            if (i >= 0 && mode == NeighCodec.Mode.ADD) {
                throw FakeNetlink.fail(op, Errno.EEXIST, null);
            }
            if (i >= 0) {
                fdb.set(i, stored);
            } else {
                fdb.add(stored);
            }
            return;
        }
        int flags = Neigh.NTF_SELF | (n.flags() & ~(Neigh.NTF_SELF | Neigh.NTF_MASTER));
        if (!(l instanceof Vxlan x)) {
            Neigh stored = new Neigh(Family.BRIDGE, l.index(), null, n.mac(), Neigh.NUD_PERMANENT, flags,
                    Neigh.NO_VNI, 0);
            int i = find(fdb, e -> e.linkIndex() == l.index() && e.masterIndex() == 0 && e.mac().equals(n.mac()));
            if (i >= 0 && mode == NeighCodec.Mode.ADD) {
                throw FakeNetlink.fail(op, Errno.EEXIST, null);
            }
            if (i < 0) {
                fdb.add(stored);
            }
            return;
        }
        if ((n.state() & (Neigh.NUD_PERMANENT | Neigh.NUD_REACHABLE)) == 0) {
            throw FakeNetlink.fail(op, Errno.EINVAL, null); // vxlan_fdb_add: "RTM_NEWNEIGH with invalid state"
        }
        int vni = n.vni() == x.vni() ? Neigh.NO_VNI : n.vni();
        Neigh remote = new Neigh(Family.BRIDGE, l.index(), n.ip(), n.mac(), n.state(), flags, vni, 0);
        List<Neigh> same = fdb.stream().filter(e -> e.linkIndex() == l.index() && e.masterIndex() == 0
                && e.mac().equals(n.mac())).toList();
        if (same.isEmpty()) {
            fdb.add(remote);
            return;
        }
        switch (mode) {
            case ADD:
                throw FakeNetlink.fail(op, Errno.EEXIST, null);
            case APPEND:
                if (same.stream().noneMatch(e -> Objects.equals(e.ip(), n.ip()) && e.vni() == vni)) {
                    fdb.add(remote);
                }
                restate(fdb, l, n, flags);
                return;
            default:
                if (n.mac().isZero() || n.mac().isMulticast()) {
                    throw FakeNetlink.fail(op, Errno.EOPNOTSUPP, "Cannot replace non-unicast fdb entries");
                }
                fdb.set(fdb.indexOf(same.get(0)), remote);
        }
    }

    /** Every remote of a VXLAN MAC shares the entry's state and flags. */
    private static void restate(List<Neigh> fdb, Link l, Neigh n, int flags) {
        fdb.replaceAll(e -> e.linkIndex() == l.index() && e.masterIndex() == 0 && e.mac().equals(n.mac())
                ? e.withState(n.state()).withFlags(flags) : e);
    }

    static void del(String op, List<Neigh> fdb, Link l, FakeNetlink ns, Neigh n) {
        if ((n.flags() & Neigh.NTF_MASTER) != 0) {
            int bridge = l.attrs().masterIndex();
            if (!fdb.removeIf(e -> bridge != 0 && e.masterIndex() == bridge && e.linkIndex() == l.index()
                    && e.mac().equals(n.mac()))) {
                throw FakeNetlink.fail(op, Errno.ENOENT, null);
            }
            return;
        }
        List<Neigh> same = fdb.stream().filter(e -> e.linkIndex() == l.index() && e.masterIndex() == 0
                && e.mac().equals(n.mac())).toList();
        if (same.isEmpty()) {
            throw FakeNetlink.fail(op, Errno.ENOENT, null);
        }
        if (l instanceof Vxlan && n.ip() != null) {
            // the kernel deletes just that remote, and answers success when the MAC has no such remote
            same.stream().filter(e -> e.ip() != null && e.ip().equals(n.ip())).findFirst().ifPresent(fdb::remove);
            return;
        }
        fdb.removeAll(same);
    }

    private static int find(List<Neigh> fdb, java.util.function.Predicate<Neigh> p) {
        for (int i = 0; i < fdb.size(); i++) {
            if (p.test(fdb.get(i))) {
                return i;
            }
        }
        return -1;
    }
}
