package dev.berth.wireguard;

import dev.berth.netlink.GenericLink;
import dev.berth.netlink.GenericNetlink;
import dev.berth.netlink.LinkAttrs;
import dev.berth.netlink.NetlinkException;
import dev.berth.netlink.NetlinkHandle;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Chooses where WireGuard runs on this host.
 *
 * <ul>
 *   <li>{@code BERTH_WG_BACKEND=kernel|userspace|auto} (default {@code auto}). A forced choice is taken as it is,
 *       without probing: the operator knows (for example that module autoloading is off but the module will be
 *       there).</li>
 *   <li>{@code auto}: the kernel when its generic netlink family {@code wireguard} resolves (the kernel loads the
 *       module on that request when it can), or else when a probe link of kind {@code wireguard} can be created (and is
 *       deleted at once); otherwise userspace when a wireguard-go binary is found; otherwise neither
 *       ({@link WireGuardException.Kind#NOT_SUPPORTED}).</li>
 *   <li>{@code BERTH_WG_USERSPACE} names the userspace binary; by default {@code wireguard-go} is looked up on
 *       {@code PATH}.</li>
 * </ul>
 */
public final class Backends {
    public static final String ENV_BACKEND = "BERTH_WG_BACKEND";
    public static final String ENV_USERSPACE = "BERTH_WG_USERSPACE";
    static final String DEFAULT_BINARY = "wireguard-go";

    private Backends() {
    }

    /** What the host has; {@link #system} asks the kernel and the filesystem, tests give answers. */
    public interface Probe {
        /** True when the kernel has WireGuard (module loaded or loadable). */
        boolean kernel();

        /** The userspace binary, if there is one. */
        Optional<Path> userspaceBinary(Map<String, String> env);
    }

    /** The choice, and why: for the driver's log and status. */
    public record Selection(Backend backend, Path userspaceBinary, String reason) {
    }

    /** Chooses from this process's environment, asking the kernel. */
    public static Selection detect() {
        return detect(System.getenv(), system());
    }

    public static Selection detect(Map<String, String> env, Probe probe) {
        String v = env.getOrDefault(ENV_BACKEND, "auto").trim().toLowerCase(Locale.ROOT);
        switch (v.isEmpty() ? "auto" : v) {
            case "kernel":
                return new Selection(Backend.KERNEL, null, ENV_BACKEND + "=kernel");
            case "userspace": {
                Path bin = probe.userspaceBinary(env).orElseThrow(() -> new WireGuardException(
                        WireGuardException.Kind.NOT_SUPPORTED, 0, "choose WireGuard backend", ENV_BACKEND
                        + "=userspace but no " + binaryName(env) + " was found (install wireguard-go)"));
                return new Selection(Backend.USERSPACE, bin, ENV_BACKEND + "=userspace");
            }
            case "auto":
                break;
            default:
                throw new IllegalArgumentException(ENV_BACKEND + " is kernel, userspace or auto, not '" + v + "'");
        }
        if (probe.kernel()) {
            return new Selection(Backend.KERNEL, null, "the kernel has WireGuard");
        }
        Optional<Path> bin = probe.userspaceBinary(env);
        if (bin.isPresent()) {
            return new Selection(Backend.USERSPACE, bin.get(), "no WireGuard in the kernel; found " + bin.get());
        }
        throw new WireGuardException(WireGuardException.Kind.NOT_SUPPORTED, 0, "choose WireGuard backend",
                "the kernel has no WireGuard and no " + binaryName(env) + " was found: load the module (Linux 5.6+)"
                        + " or install wireguard-go");
    }

    private static String binaryName(Map<String, String> env) {
        return env.getOrDefault(ENV_USERSPACE, DEFAULT_BINARY);
    }

    /** The real probe: generic netlink, then a probe link, in this process's network namespace; PATH for the binary. */
    public static Probe system() {
        return new Probe() {
            @Override
            public boolean kernel() {
                return kernelFamilyResolves() || kernelLinkCanBeCreated();
            }

            @Override
            public Optional<Path> userspaceBinary(Map<String, String> env) {
                return findBinary(binaryName(env), env.getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin"));
            }
        };
    }

    static boolean kernelFamilyResolves() {
        try (GenericNetlink g = GenericNetlink.open()) {
            g.family(WgNetlinkCodec.FAMILY);
            return true;
        } catch (NetlinkException e) {
            return false;
        }
    }

    static boolean kernelLinkCanBeCreated() {
        String name = "bwgprobe" + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x100000, 0xffffff));
        try (NetlinkHandle nl = NetlinkHandle.open()) {
            nl.linkAdd(new GenericLink(LinkAttrs.named(name), KernelLinks.KIND));
            nl.linkDel(name);
            return true;
        } catch (NetlinkException e) {
            return false;
        }
    }

    /** An absolute or relative path as given, else the first executable of that name on {@code path}. */
    static Optional<Path> findBinary(String name, String path) {
        if (name.contains("/")) {
            Path p = Path.of(name);
            return Files.isExecutable(p) ? Optional.of(p.toAbsolutePath()) : Optional.empty();
        }
        for (String dir : path.split(File.pathSeparator)) {
            if (dir.isEmpty()) {
                continue;
            }
            Path p = Path.of(dir, name);
            if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }
}
