package dev.berth.dns;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The DNS service's settings, from {@code BERTH_*} environment variables. Example: {@code BERTH_KV=etcd://10.0.0.5:2379/berth
 * BERTH_DNS_LISTEN=10.0.0.7:53}.
 *
 * @param store        BERTH_KV: the cluster store (empty: the embedded store, one host)
 * @param listen       BERTH_DNS_LISTEN: address:port to serve on (UDP and TCP); the address Docker's daemon.json
 *                     {@code dns} names, so that 127.0.0.11 in every container forwards to it
 * @param upstreams    BERTH_DNS_UPSTREAMS: comma-separated resolvers for other names; empty = the host's
 *                     /etc/resolv.conf (without 127.0.0.11 and without our own address); none = forward nothing
 * @param ttl          BERTH_DNS_TTL_SECONDS: TTL of cluster answers (5)
 * @param timeout      BERTH_DNS_UPSTREAM_TIMEOUT_MS: deadline for a forwarded query over all upstreams (2000)
 * @param scope        BERTH_DNS_NETWORKS: berth (Berth networks only) or all (every user-defined network)
 * @param dockerSocket BERTH_DOCKER_SOCKET: this host's Docker API
 * @param hostIdFile   BERTH_HOST_ID_FILE: this host's stable ID (shared with the other Berth plugins)
 */
public record DnsConfig(String store, InetSocketAddress listen, List<InetSocketAddress> upstreams, long ttl,
                        Duration timeout, Publisher.Scope scope, Path dockerSocket, Path hostIdFile,
                        String serviceLabel, String portsLabel) {

    public static DnsConfig fromEnv(Map<String, String> env) {
        String listenText = env.getOrDefault("BERTH_DNS_LISTEN", "auto").trim();
        InetSocketAddress listen = listenText.equals("auto") || listenText.isEmpty()
                ? new InetSocketAddress(defaultRouteAddress(Path.of("/proc/net/route")), 53)
                : socket(listenText, 53);
        String ups = env.getOrDefault("BERTH_DNS_UPSTREAMS", "");
        List<InetSocketAddress> upstreams = new ArrayList<>();
        if (ups.isBlank()) {
            upstreams.addAll(resolvConf(Path.of("/etc/resolv.conf"), listen));
        } else if (ups.trim().equals("none")) {
            // nothing is forwarded: every other name gets SERVFAIL at once (an isolated cluster)
        } else {
            for (String u : ups.split(",")) {
                upstreams.add(socket(u.trim(), 53));
            }
        }
        return new DnsConfig(env.getOrDefault("BERTH_KV", ""), listen, upstreams,
                number(env, "BERTH_DNS_TTL_SECONDS", 5),
                Duration.ofMillis(number(env, "BERTH_DNS_UPSTREAM_TIMEOUT_MS", 2000)),
                Publisher.Scope.valueOf(env.getOrDefault("BERTH_DNS_NETWORKS", "berth").trim().toUpperCase()),
                Path.of(env.getOrDefault("BERTH_DOCKER_SOCKET", "/run/docker.sock")),
                Path.of(env.getOrDefault("BERTH_HOST_ID_FILE", "/var/lib/berth/host-id")),
                env.getOrDefault("BERTH_DNS_SERVICE_LABEL", "berth.service"),
                env.getOrDefault("BERTH_DNS_PORTS_LABEL", "berth.service.ports"));
    }

    /**
     * The IPv4 address of the interface that holds the default route (else of the first real interface): where
     * containers reach their host through
     * their gateway, so Docker's 127.0.0.11 can forward to it without address translation (the server then sees the
     * asking container's own address, which decides the names it may see).
     */
    static InetAddress defaultRouteAddress(Path procRoute) {
        try {
            for (String line : Files.readAllLines(procRoute)) {
                String[] f = line.trim().split("\\s+");
                if (f.length > 7 && f[1].equals("00000000") && f[7].equals("00000000")) {
                    java.net.NetworkInterface nic = java.net.NetworkInterface.getByName(f[0]);
                    if (nic != null) {
                        for (InetAddress a : java.util.Collections.list(nic.getInetAddresses())) {
                            if (a instanceof java.net.Inet4Address) {
                                return a;
                            }
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + procRoute + ": " + e.getMessage());
        }
        // no default route (an isolated host, the lab): the first address of a real interface, not a bridge of Docker's
        try {
            for (java.net.NetworkInterface nic : java.util.Collections.list(java.net.NetworkInterface.getNetworkInterfaces())) {
                String n = nic.getName();
                if (!nic.isUp() || nic.isLoopback() || n.startsWith("docker") || n.startsWith("br-")
                        || n.startsWith("veth") || n.startsWith("vx") || n.startsWith("berth")) {
                    continue;
                }
                for (InetAddress a : java.util.Collections.list(nic.getInetAddresses())) {
                    if (a instanceof java.net.Inet4Address) {
                        return a;
                    }
                }
            }
        } catch (java.net.SocketException e) {
            throw new IllegalArgumentException("cannot list interfaces: " + e.getMessage());
        }
        throw new IllegalArgumentException("no IPv4 address to serve on: set BERTH_DNS_LISTEN");
    }

    /** The nameservers of a resolv.conf, leaving out Docker's 127.0.0.11 and the address we serve on. */
    static List<InetSocketAddress> resolvConf(Path file, InetSocketAddress self) {
        List<InetSocketAddress> out = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(file)) {
                String[] f = line.trim().split("\\s+");
                if (f.length >= 2 && f[0].equals("nameserver")) {
                    InetSocketAddress a = socket(f[1], 53);
                    if (!a.getAddress().getHostAddress().equals("127.0.0.11") && !a.equals(self)) {
                        out.add(a);
                    }
                }
            }
        } catch (IOException | IllegalArgumentException e) {
            // no resolv.conf: nothing to forward to (answers SERVFAIL for names outside the cluster)
        }
        return out;
    }

    static InetSocketAddress socket(String text, int defaultPort) {
        String host = text;
        int port = defaultPort;
        if (text.startsWith("[")) {
            int end = text.indexOf(']');
            host = text.substring(1, end);
            if (text.length() > end + 2) {
                port = Integer.parseInt(text.substring(end + 2));
            }
        } else if (text.chars().filter(c -> c == ':').count() == 1) {
            host = text.substring(0, text.indexOf(':'));
            port = Integer.parseInt(text.substring(text.indexOf(':') + 1));
        }
        if (!host.isEmpty() && !Character.isDigit(host.charAt(0)) && !host.contains(":")) {
            throw new IllegalArgumentException("'" + text + "' is not an IP address (names are not resolved here)");
        }
        try {
            return new InetSocketAddress(InetAddress.getByName(host), port);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("'" + text + "' is not an IP address");
        }
    }

    private static long number(Map<String, String> env, String name, long fallback) {
        String v = env.get(name);
        try {
            return v == null || v.isBlank() ? fallback : Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a number, not '" + v + "'");
        }
    }
}
