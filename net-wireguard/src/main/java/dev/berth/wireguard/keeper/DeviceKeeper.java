package dev.berth.wireguard.keeper;

import dev.berth.wireguard.UserspaceLinks;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Keeps one wireguard-go process per wanted device ({@link KeeperDir}): starts the ones wanted and not running
 * (also one that died: the plugin's device check configures it again), stops the ones no longer wanted. Runs as its
 * own service container ({@code berth-wireguard-go}), so the devices and their traffic outlive a restart or upgrade
 * of the {@code berth/wireguard} plugin, which holds all the logic and only talks to their UAPI sockets.
 *
 * <p>A device that fails to start is reported in {@code error/IFACE} and tried again after {@link #RETRY_AFTER_MS}.
 * It only stops processes it started itself (its {@link UserspaceLinks} knows them by their pidfiles), never a
 * device of the same name served by someone else.
 */
public final class DeviceKeeper {
    static final long RETRY_AFTER_MS = 5_000;
    private final KeeperDir dir;
    private final UserspaceLinks links;
    private final LongSupplier millis;
    private final Consumer<String> log;
    private final Set<String> serving = new TreeSet<>();
    private final Map<String, Long> failedAt = new HashMap<>();

    public DeviceKeeper(KeeperDir dir, UserspaceLinks links, LongSupplier millis, Consumer<String> log) {
        this.dir = dir;
        this.links = links;
        this.millis = millis;
        this.log = log;
    }

    /** One pass: wanted devices started, unwanted ones stopped. Called every 100 ms by {@link DeviceKeeperMain}. */
    public synchronized void reconcile() {
        Set<String> wanted = dir.wanted();
        for (String iface : wanted) {
            if (links.process(iface).isPresent()) {
                serving.add(iface);
                continue;
            }
            if (serving.remove(iface)) {
                log.accept(iface + ": its wireguard-go exited; starting it again");
            }
            Long failed = failedAt.get(iface);
            if (failed != null && millis.getAsLong() - failed < RETRY_AFTER_MS) {
                continue;
            }
            if (links.exists(iface)) {
                fail(iface, "a device named " + iface + " is already served by another process");
                continue;
            }
            try {
                links.create(iface);
                serving.add(iface);
                failedAt.remove(iface);
                dir.clearError(iface);
                log.accept(iface + ": serving");
            } catch (RuntimeException e) {
                fail(iface, e.getMessage());
            }
        }
        for (String iface : new TreeSet<>(serving)) {
            if (!wanted.contains(iface)) {
                try {
                    links.delete(iface);
                    serving.remove(iface);
                    failedAt.remove(iface);
                    log.accept(iface + ": stopped (no longer wanted)");
                } catch (RuntimeException e) {
                    log.accept(iface + ": could not stop it: " + e.getMessage());
                }
            }
        }
        failedAt.keySet().retainAll(wanted);
    }

    /** The devices this keeper serves. */
    public synchronized Set<String> serving() {
        return Set.copyOf(serving);
    }

    private void fail(String iface, String why) {
        failedAt.put(iface, millis.getAsLong());
        dir.reportError(iface, why);
        log.accept(iface + ": " + why);
    }
}
