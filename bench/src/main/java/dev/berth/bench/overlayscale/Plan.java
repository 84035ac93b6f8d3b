package dev.berth.bench.overlayscale;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the client creates: one network, the same subnet on every host (so every host's copy has the same cluster-wide
 * key and VNI) but, as outside swarm, each host its own NetworkID; and {@code perHost} endpoints per host with
 * addresses the client assigns, unique across the cluster. The MACs are the drivers' answers, filled in as they come.
 */
public final class Plan {
    public static final String SUBNET = "10.128.0.0/16";
    public static final String GATEWAY = "10.128.0.1/16";
    private static final SecureRandom RANDOM = new SecureRandom();

    public final int hosts;
    public final int perHost;
    private final String[] networkIds;
    private final List<Endpoint> endpoints = new ArrayList<>();
    private final Map<String, String> macs = new ConcurrentHashMap<>();

    /** One endpoint: its host (1-based), Docker's 64-hex ID (unique in its first 11 digits on a host), address. */
    public record Endpoint(int host, String id, String ipv4) {
    }

    public Plan(int hosts, int perHost) {
        if (hosts * perHost > 65_000) {
            throw new IllegalArgumentException(hosts * perHost + " endpoints do not fit " + SUBNET);
        }
        this.hosts = hosts;
        this.perHost = perHost;
        this.networkIds = new String[hosts + 1];
        for (int h = 1; h <= hosts; h++) {
            networkIds[h] = hex(32);
            for (int j = 0; j < perHost; j++) {
                int k = (h - 1) * perHost + j + 2; // .0.0 is the subnet, .0.1 the gateway
                String id = String.format("%05x%06x", h, j) + hex(32).substring(11);
                endpoints.add(new Endpoint(h, id, "10.128." + (k >> 8) + "." + (k & 255)));
            }
        }
    }

    public String networkId(int host) {
        return networkIds[host];
    }

    public List<Endpoint> endpoints() {
        return endpoints;
    }

    public List<Endpoint> on(int host) {
        return endpoints.subList((host - 1) * perHost, host * perHost);
    }

    public int total() {
        return endpoints.size();
    }

    /** Remote endpoints every host must end up with. */
    public int remotePerHost() {
        return total() - perHost;
    }

    public void macIs(Endpoint e, String mac) {
        macs.put(e.id(), mac.toLowerCase(java.util.Locale.ROOT));
    }

    public String mac(Endpoint e) {
        return macs.get(e.id());
    }

    /** A sandbox key as the daemon sends it. */
    public static String sandboxKey(Endpoint e) {
        return "/var/run/docker/netns/" + e.id().substring(0, 12);
    }

    private static String hex(int bytes) {
        byte[] b = new byte[bytes];
        RANDOM.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }
}
