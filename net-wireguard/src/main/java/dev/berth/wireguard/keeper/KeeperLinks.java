package dev.berth.wireguard.keeper;

import dev.berth.wireguard.Backend;
import dev.berth.wireguard.UapiControl;
import dev.berth.wireguard.WireGuardException;
import dev.berth.wireguard.WireGuardLinks;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * Userspace devices served by the wireguard-go keeper ({@link DeviceKeeper}, its own container) when one runs, so
 * that they outlive a restart of the plugin; by wireguard-go processes of the plugin's own ({@code fallback}, which
 * die with the plugin's container) when none does. Decided per device, when it is created: a device asked of the
 * keeper is deleted through it, any other through the fallback.
 *
 * <p>Equivalent to: {@code touch ROOT/want/IFACE} and waiting for {@code IFACE.sock} to answer; deleting is
 * {@code rm ROOT/want/IFACE} and waiting for it to stop answering.
 */
public final class KeeperLinks implements WireGuardLinks {
    private final KeeperDir dir;
    private final UapiControl uapi;
    private final WireGuardLinks fallback;
    private final Duration timeout;
    private final Consumer<String> log;

    /**
     * @param uapi     finds the sockets of both the keeper's devices and the fallback's
     * @param fallback wireguard-go processes of this plugin's own, used while no keeper runs
     * @param log      told when a device falls back to the plugin's own process
     */
    public KeeperLinks(KeeperDir dir, UapiControl uapi, WireGuardLinks fallback, Duration timeout,
                       Consumer<String> log) {
        this.dir = dir;
        this.uapi = uapi;
        this.fallback = fallback;
        this.timeout = timeout;
        this.log = log;
    }

    @Override
    public void create(String iface) {
        String op = "wireguard-go " + iface + " (keeper)";
        if (!dir.keeperAlive()) {
            log.accept("no wireguard-go keeper runs (berth up starts berth-wireguard-go): " + iface
                    + " runs inside the plugin and a plugin restart interrupts its traffic");
            fallback.create(iface);
            return;
        }
        if (uapi.answers(iface)) {
            throw new WireGuardException(WireGuardException.Kind.EXISTS, 17, op, "a daemon already answers on "
                    + uapi.socket(iface));
        }
        dir.want(iface);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            if (uapi.answers(iface)) {
                return;
            }
            var error = dir.error(iface);
            if (error.isPresent() || System.nanoTime() > deadline) {
                dir.unwant(iface);
                throw new WireGuardException(WireGuardException.Kind.IO, 0, op, error.orElse(
                        "the keeper did not start it within " + timeout.toMillis() + " ms"));
            }
            sleep(20);
        }
    }

    @Override
    public boolean delete(String iface) {
        if (!dir.isWanted(iface)) {
            return fallback.delete(iface);
        }
        dir.unwant(iface);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (uapi.answers(iface)) {
            if (System.nanoTime() > deadline) {
                throw new WireGuardException(WireGuardException.Kind.IO, 0, "wireguard-go " + iface + " stop",
                        "the keeper did not stop it within " + timeout.toMillis() + " ms"
                                + (dir.keeperAlive() ? "" : " (no keeper runs)"));
            }
            sleep(20);
        }
        return true;
    }

    @Override
    public boolean exists(String iface) {
        return uapi.answers(iface);
    }

    @Override
    public Backend backend() {
        return Backend.USERSPACE;
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new WireGuardException(WireGuardException.Kind.IO, 4, "wireguard-go", "interrupted");
        }
    }
}
