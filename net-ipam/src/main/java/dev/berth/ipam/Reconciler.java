package dev.berth.ipam;

import dev.berth.host.error.BerthException;
import dev.berth.kv.KeyValue;
import dev.berth.kv.KvException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes the store agree with what Docker really uses, from a background thread. Docker is the judge of "in use": an
 * allocation of this host that no endpoint uses (a CreateEndpoint that failed after RequestAddress, a daemon that
 * crashed between the two) is released once it is older than a grace period, so an allocation whose endpoint is
 * still being created is never touched; an address Docker uses that the store lost is claimed again; a pool no
 * network uses any more is released. Holds of a host that has been gone from the store longer than the dead-host grace
 * are reclaimed by whichever host notices. Without an answer from Docker nothing is reclaimed.
 */
final class Reconciler {
    private static final Logger LOG = LoggerFactory.getLogger(Reconciler.class);

    private final List<SpaceAllocator> spaces;
    private final SpaceAllocator global;
    private final HostPresence presence;
    private final DockerView docker;
    private final Clock clock;
    private final Duration orphanGrace;
    private final Duration deadHostGrace;
    private final Map<String, Instant> missingSince = new HashMap<>();

    /** What one round did. */
    record Report(int released, int reclaimed, int conflicts, int poolsReleased, int poolsRejoined, int deadHolds) {
    }

    /** @param presence null when the global space has no cluster of its own (one host): no dead-host pass */
    Reconciler(List<SpaceAllocator> spaces, SpaceAllocator global, HostPresence presence, DockerView docker,
               Clock clock, Duration orphanGrace, Duration deadHostGrace) {
        this.spaces = List.copyOf(spaces);
        this.global = global;
        this.presence = presence;
        this.docker = docker;
        this.clock = clock;
        this.orphanGrace = orphanGrace;
        this.deadHostGrace = deadHostGrace;
    }

    /** One round; store errors end the round early (the next one tries again). */
    synchronized Report runOnce() {
        Counts c = new Counts();
        try {
            if (presence != null) {
                presence.refresh();
            }
            Optional<List<DockerView.NetworkUse>> networks = docker.networks();
            if (networks.isPresent()) {
                for (SpaceAllocator s : spaces) {
                    reconcile(s, networks.get().stream().filter(n -> n.space() == s.space()).toList(), c);
                }
            }
            if (presence != null) {
                reclaimDeadHosts(c);
            }
        } catch (KvException | BerthException e) {
            LOG.warn("reconciliation stopped early: {}", e.getMessage());
        }
        Report r = new Report(c.released, c.reclaimed, c.conflicts, c.poolsReleased, c.poolsRejoined, c.deadHolds);
        if (!r.equals(new Report(0, 0, 0, 0, 0, 0))) {
            LOG.info("reconciled: {}", r);
        }
        return r;
    }

    private void reconcile(SpaceAllocator s, List<DockerView.NetworkUse> uses, Counts c) {
        Map<Cidr, DockerView.NetworkUse> byPool = uses.stream()
                .collect(Collectors.toMap(DockerView.NetworkUse::pool, u -> u, (a, b) -> a));
        Set<Cidr> held = s.held().stream().map(h -> h.id().pool()).collect(Collectors.toSet());
        for (DockerView.NetworkUse use : uses) {
            if (!held.contains(use.pool())) {
                try {
                    s.rejoin(use.pool(), use.subPool());
                    c.poolsRejoined++;
                    LOG.warn("Docker network {} uses pool {} that this host no longer held in the store: held again",
                            use.name(), use.pool());
                } catch (BerthException e) {
                    c.conflicts++;
                    LOG.error("Docker network {} uses pool {}, which cannot be held again: {}", use.name(), use.pool(),
                            e.getMessage());
                }
            }
        }
        Instant now = clock.instant();
        for (SpaceAllocator.Held h : s.held()) {
            DockerView.NetworkUse use = byPool.get(h.id().pool());
            if (use == null) {
                if (old(s.holdSince(h.id().pool()), now)) {
                    LOG.warn("pool {} is held by this host but no Docker network uses it: released", h.id().pool());
                    s.releasePool(h.id());
                    c.poolsReleased++;
                }
                continue;
            }
            reconcileAddresses(s, h, use, now, c);
        }
    }

    private void reconcileAddresses(SpaceAllocator s, SpaceAllocator.Held h, DockerView.NetworkUse use, Instant now,
                                    Counts c) {
        Set<String> inUse = new HashSet<>();
        use.addresses().forEach(a -> inUse.add(Cidr.format(a)));
        String gateway = use.gateway() == null ? null : Cidr.format(use.gateway());
        Set<String> mine = new HashSet<>();
        for (KeyValue kv : s.store().list(StoreLayout.addresses(s.space(), h.id().pool())).entries()) {
            AddressRecord r = Records.decode(kv.key(), kv.value(), AddressRecord.class);
            String address = StoreLayout.last(kv.key());
            if (!r.heldBy(s.hostId())) {
                continue;
            }
            mine.add(address);
            // Docker shows a gateway only when the user gave one (--gateway): otherwise the network's gateway is the
            // one it asked us for, in use for as long as the network exists
            boolean used = r.isGateway() ? gateway == null || address.equals(gateway) : inUse.contains(address);
            if (!used && old(Instant.ofEpochMilli(r.at()), now)) {
                LOG.warn("{} in {} is held by this host but no endpoint uses it: released", address, h.id().pool());
                s.releaseAddress(h.id(), Cidr.parseAddress(address));
                c.released++;
            }
        }
        for (String address : inUse) {
            if (!mine.contains(address) && h.id().pool().contains(Cidr.parseAddress(address))) {
                reclaim(s, h, address, false, c);
            }
        }
        if (gateway != null && !mine.contains(gateway) && h.id().pool().contains(Cidr.parseAddress(gateway))) {
            reclaim(s, h, gateway, true, c);
        }
    }

    private void reclaim(SpaceAllocator s, SpaceAllocator.Held h, String address, boolean gateway, Counts c) {
        try {
            s.requestAddress(h.id(), Cidr.parseAddress(address), gateway, null);
            c.reclaimed++;
            LOG.warn("{} in {} is used by Docker but was missing from the store: claimed again", address,
                    h.id().pool());
        } catch (BerthException e) {
            c.conflicts++;
            LOG.error("CONFLICT: {} in {} is used by a container on this host but the store says: {}", address,
                    h.id().pool(), e.getMessage());
        }
    }

    private void reclaimDeadHosts(Counts c) {
        Set<String> live = presence.live();
        Instant now = clock.instant();
        missingSince.keySet().retainAll(allHolders());
        missingSince.keySet().removeAll(live);
        for (PoolRegistry.Entry e : global.registry().list()) {
            for (String host : e.record().holders().keySet()) {
                if (host.equals(global.hostId()) || live.contains(host)) {
                    continue;
                }
                Instant since = missingSince.computeIfAbsent(host, k -> now);
                if (Duration.between(since, now).compareTo(deadHostGrace) >= 0) {
                    c.deadHolds += global.reclaimHost(e.pool(), host);
                    LOG.warn("host {} has been gone from the store since {}: its holds on {} were reclaimed", host,
                            since, e.pool());
                }
            }
        }
    }

    private Set<String> allHolders() {
        Set<String> all = new HashSet<>();
        global.registry().list().forEach(e -> all.addAll(e.record().holders().keySet()));
        return all;
    }

    private boolean old(Instant since, Instant now) {
        return since != null && Duration.between(since, now).compareTo(orphanGrace) >= 0;
    }

    private static final class Counts {
        int released;
        int reclaimed;
        int conflicts;
        int poolsReleased;
        int poolsRejoined;
        int deadHolds;
    }
}
