package dev.berth.netlink;

/**
 * The iproute2 command each operation is equivalent to, for error messages: {@code "ip -n blue link add vx42 type
 * vxlan"}. Shared by the real handle and the fake so both fail with the same words.
 */
final class Commands {
    private final String ip;
    private final String bridge;

    /** {@code namespaceOption} is empty or such as {@code " -n blue"}. */
    Commands(String namespaceOption) {
        this.ip = "ip" + namespaceOption;
        this.bridge = "bridge" + namespaceOption;
    }

    static String namespaceOption(Netns ns) {
        if (ns == null) {
            return "";
        }
        java.nio.file.Path f = ns.file();
        if (f != null && f.getParent() != null && f.getParent().equals(java.nio.file.Path.of("/var/run/netns"))) {
            return " -n " + f.getFileName();
        }
        return " [netns " + ns + "]";
    }

    String link(String rest) {
        return ip + " link " + rest;
    }

    String linkAdd(Link l) {
        return link("add " + l.name() + " type " + l.kind());
    }

    String linkSet(String name, String what) {
        return link("set dev " + name + " " + what);
    }

    /** In sysctl's words, with this handle's namespace: {@code ip -n blue netns exec sysctl -w ...} is not quite it. */
    String ipv4Conf(String name, int devconf, String value) {
        return "sysctl" + (ip.length() > 2 ? " [" + ip.substring(3) + "]" : "") + " net.ipv4.conf." + name + "."
                + Ipv4Conf.name(devconf) + (value == null ? "" : "=" + value);
    }

    String addr(String verb, Address a) {
        return ip + " addr " + verb + " " + a.prefix() + " dev #" + a.linkIndex();
    }

    String addrShow() {
        return ip + " addr show";
    }

    String route(String verb, Route r) {
        return ip + " route " + verb + " " + (r.isDefault() ? "default" : r.dst().toString())
                + (r.gateway() == null ? "" : " via " + Inet.format(r.gateway()))
                + (r.oif() == 0 ? "" : " dev #" + r.oif())
                + (r.effectiveTable() == Route.TABLE_MAIN ? "" : " table " + r.effectiveTable())
                + (r.metric() == 0 ? "" : " metric " + r.metric());
    }

    String routeShow(int table) {
        return ip + " route show table " + (table == 0 ? "all" : Integer.toString(table));
    }

    String rule(String verb, Rule r) {
        return ip + (r.family() == Family.INET6 ? " -6" : "") + " rule " + verb
                + (r.iifName() == null ? "" : " iif " + r.iifName()) + " lookup " + r.table()
                + (r.priority() == 0 ? "" : " priority " + r.priority());
    }

    String ruleShow(Family f) {
        return ip + (f == Family.INET6 ? " -6" : "") + " rule show";
    }

    String neigh(String verb, Neigh n) {
        if (n.isFdb()) {
            return bridge + " fdb " + verb + " " + n.mac() + " dev #" + n.linkIndex()
                    + (n.ip() == null ? "" : " dst " + Inet.format(n.ip()))
                    + (n.vni() == Neigh.NO_VNI ? "" : " vni " + n.vni())
                    + ((n.flags() & Neigh.NTF_MASTER) != 0 ? " master" : " self");
        }
        return ip + " neigh " + verb + " " + Inet.format(n.ip())
                + (n.mac() == null ? "" : " lladdr " + n.mac()) + " dev #" + n.linkIndex();
    }

    String neighShow(Family f) {
        return f == Family.BRIDGE ? bridge + " fdb show" : ip + " neigh show";
    }
}
