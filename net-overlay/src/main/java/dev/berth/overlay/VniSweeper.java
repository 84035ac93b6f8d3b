package dev.berth.overlay;

import dev.berth.kv.KvStore;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps VNIs from leaking when hosts die: a network's holder whose host has had no presence key for {@code grace}
 * is removed (the last holder out frees the VNI), and a VNI claim no network record points at is freed when it is
 * still the same orphan at the next sweep. Every host may run one; they agree through compare-and-set. A host that
 * comes back after being swept joins its networks again on restore ({@link OverlayDriver#restore()}).
 */
final class VniSweeper implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(VniSweeper.class);

    private final KvStore store;
    private final VniRegistry vnis;
    private final Clock clock;
    private final Duration grace;
    private final Map<String, Long> absentSince = new HashMap<>();
    private Map<Integer, Long> orphansSeen = Map.of();

    VniSweeper(KvStore store, Clock clock, Duration grace) {
        this.store = store;
        this.vnis = new VniRegistry(store);
        this.clock = clock;
        this.grace = grace;
    }

    @Override
    public synchronized void run() {
        long now = clock.millis();
        Map<String, Boolean> presence = new HashMap<>();
        int holders = vnis.sweep(host -> {
            boolean here = presence.computeIfAbsent(host, h -> HostLease.present(store, h));
            if (here) {
                absentSince.remove(host);
                return true;
            }
            long since = absentSince.computeIfAbsent(host, h -> now);
            return now - since < grace.toMillis();
        });
        absentSince.keySet().retainAll(presence.keySet());
        if (holders > 0) {
            LOG.info("removed {} network holder(s) whose host has been gone for {} s or more", holders,
                    grace.toSeconds());
        }
        Map<Integer, Long> orphans = vnis.orphanVnis();
        int freed = 0;
        for (Map.Entry<Integer, Long> o : orphans.entrySet()) {
            if (o.getValue().equals(orphansSeen.get(o.getKey())) && vnis.freeOrphan(o.getKey(), o.getValue())) {
                freed++;
            }
        }
        orphansSeen = orphans;
        if (freed > 0) {
            LOG.info("freed {} VNI claim(s) no network used", freed);
        }
    }
}
