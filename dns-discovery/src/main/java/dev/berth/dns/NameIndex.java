package dev.berth.dns;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Every cluster name, in memory, built from the published records: immutable, rebuilt and swapped whole when the
 * records change, so queries read it without locks and never go to the store. Names a container answers to, on each
 * network N it is attached to: its name, {@code name.N}, each alias and {@code alias.N}, and its service name and
 * {@code service.N}. Addresses map back to their container for reverse lookups and for scoping: a query is answered
 * only with names on networks the asking container is attached to.
 */
public final class NameIndex {
    /** One address a name resolves to, on one network. */
    public record Target(String network, String container, String ipv4, String ipv6) {
    }

    /** One instance of a service for SRV answers: the container's name on that network and its port. */
    public record ServiceTarget(String network, String host, int port) {
    }

    public static final NameIndex EMPTY = new NameIndex(List.of());

    private final Map<String, List<Target>> byName = new HashMap<>();
    private final Map<String, List<ServiceTarget>> bySrv = new HashMap<>();
    private final Map<String, Set<String>> networksByAddress = new HashMap<>();
    private final Map<String, List<Target>> byAddress = new HashMap<>();
    private final int size;

    public NameIndex(Collection<ContainerRecord> records) {
        this(records, null);
    }

    /**
     * @param localHost this host's ID: only its own containers' extra source addresses (docker_gwbridge, the same
     *                  subnet on every host) identify an asker; null to take every record's
     */
    public NameIndex(Collection<ContainerRecord> records, String localHost) {
        for (ContainerRecord r : records) {
            if (localHost == null || localHost.equals(r.host())) {
                for (String src : r.sources()) {
                    String key = normal(src);
                    if (key != null) {
                        for (ContainerRecord.Attachment a : r.networks()) {
                            networksByAddress.computeIfAbsent(key, k -> new HashSet<>()).add(lower(a.network()));
                        }
                    }
                }
            }
            for (ContainerRecord.Attachment a : r.networks()) {
                String net = lower(a.network());
                Target t = new Target(net, lower(r.name()), a.ipv4(), a.ipv6());
                List<String> names = new ArrayList<>();
                names.add(r.name());
                names.addAll(a.aliases());
                if (r.service() != null && !r.service().isBlank()) {
                    names.add(r.service());
                    for (ContainerRecord.ServicePort p : r.ports()) {
                        String srv = "_" + lower(r.service()) + "._" + lower(p.proto());
                        ServiceTarget st = new ServiceTarget(net, lower(r.name()) + "." + net, p.port());
                        bySrv.computeIfAbsent(srv, k -> new ArrayList<>()).add(st);
                        bySrv.computeIfAbsent(srv + "." + net, k -> new ArrayList<>()).add(st);
                    }
                }
                for (String n : new HashSet<>(names)) {
                    add(lower(n), t);
                    add(lower(n) + "." + net, t);
                }
                for (String ip : new String[] {a.ipv4(), a.ipv6()}) {
                    String key = normal(ip);
                    if (key != null) {
                        networksByAddress.computeIfAbsent(key, k -> new HashSet<>()).add(net);
                        byAddress.computeIfAbsent(key, k -> new ArrayList<>()).add(t);
                    }
                }
            }
        }
        this.size = records.size();
    }

    private void add(String name, Target t) {
        List<Target> list = byName.computeIfAbsent(name, k -> new ArrayList<>());
        if (!list.contains(t)) {
            list.add(t);
        }
    }

    /** The networks of the container with this address; empty when no known container has it. */
    public Set<String> networksOf(String address) {
        String key = normal(address);
        return key == null ? Set.of() : networksByAddress.getOrDefault(key, Set.of());
    }

    /** What a name (lower case, no trailing dot) resolves to on the given networks. */
    public List<Target> lookup(String name, Set<String> networks) {
        return byName.getOrDefault(name, List.of()).stream().filter(t -> networks.contains(t.network())).toList();
    }

    /** SRV targets of {@code _service._proto} or {@code _service._proto.network} on the given networks. */
    public List<ServiceTarget> services(String name, Set<String> networks) {
        return bySrv.getOrDefault(name, List.of()).stream().filter(t -> networks.contains(t.network())).toList();
    }

    /** The containers with this address on the given networks (for PTR). */
    public List<Target> reverse(String address, Set<String> networks) {
        String key = normal(address);
        return key == null ? List.of() : byAddress.getOrDefault(key, List.of()).stream().filter(t -> networks.contains(t.network()))
                .toList();
    }

    public int containers() {
        return size;
    }

    /** An IP literal in the JDK's one textual form (IPv6 written many ways), or null. Never resolves names. */
    static String normal(String ip) {
        if (ip == null || ip.isEmpty() || !(ip.indexOf(':') >= 0 || Character.isDigit(ip.charAt(0)))) {
            return null;
        }
        try {
            return java.net.InetAddress.getByName(ip).getHostAddress();
        } catch (java.net.UnknownHostException e) {
            return null;
        }
    }

    static String lower(String s) {
        return s == null ? "" : s.toLowerCase(Locale.ROOT);
    }
}
